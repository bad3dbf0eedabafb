-- A site key's own text, kept for site keys only: it is public by design (every page
-- that embeds the widget carries it), and the console shows it in the embed snippet.
-- Keys made before this column stay NULL until the mode's site key is replaced.
ALTER TABLE api_keys ADD COLUMN site_key TEXT;
