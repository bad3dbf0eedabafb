//! Content-type sniffing from a file's first bytes. The type a client declares is
//! never trusted: a file is served as what its bytes are, and anything a browser could
//! execute (HTML, SVG, XML) is served as plain text.

/// The content type of `bytes`, judged by their signature.
pub fn content_type(bytes: &[u8]) -> &'static str {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"\xFF\xD8\xFF") {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        "audio/wav"
    } else if starts(b"%PDF-") {
        "application/pdf"
    } else if starts(b"PK\x03\x04") {
        "application/zip"
    } else if starts(b"ID3") || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
        "audio/mpeg"
    } else if starts(b"OggS") {
        "audio/ogg"
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        "video/mp4"
    } else if is_text(bytes) {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

fn is_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    // A multi-byte character may be cut at the sample's end.
    let valid = match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.valid_up_to() + 4 > sample.len() && e.error_len().is_none(),
    };
    valid && !sample.contains(&0)
}

/// A filename safe to store and show: path parts, control characters and quotes
/// removed, at most 200 characters, never empty.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_by_bytes_not_names() {
        assert_eq!(content_type(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(content_type(b"%PDF-1.7"), "application/pdf");
        assert_eq!(
            content_type(b"<html><script>alert(1)</script>"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(content_type(&[0, 1, 2, 3]), "application/octet-stream");
        assert_eq!(
            content_type("héllo".as_bytes()),
            "text/plain; charset=utf-8"
        );
    }

    #[test]
    fn filenames_lose_paths_and_quotes() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\x\\re\"port\n.pdf"), "report.pdf");
        assert_eq!(clean_filename("..."), "file");
    }
}
