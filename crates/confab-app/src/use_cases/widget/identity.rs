//! Who a visitor is. A visitor's name and email are taken at their word; an
//! `external_id` counts only with a `user_hash` the host page's server computed
//! (hex HMAC-SHA256 of the external id keyed with the workspace's identity secret),
//! and then links the conversation to the business's own record of that user.

use serde::Deserialize;

use confab_core::contact::Contact;
use confab_core::widget::verify_user_hash;
use confab_core::{ErrorCode, FieldErrors, validate};
use confab_store::{TenantTx, contacts, workspaces};

use crate::contacts::{ContactCreate, create_in, set_external_id_in};
use crate::{AppError, AppResult, Ctx, Uow};

/// `Confab.identify(…)`: the host page vouches for its signed-in user.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The user's id in the business's own system.
    pub external_id: Option<String>,
    /// Hex HMAC-SHA256 of `external_id`, keyed with the workspace's identity secret.
    pub user_hash: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// The message of a `user_hash` that does not verify.
pub const HASH_MISMATCH: &str = "does not match external_id; compute it on your server as the hex HMAC-SHA256 of external_id keyed with the workspace's identity secret (GET /v1/settings/widget)";

/// Checks an optional `external_id` + `user_hash` pair and returns the verified external
/// id. Errors go to `errors`: one without the other, or a hash that does not match.
pub(crate) async fn verify(
    tx: &mut TenantTx,
    external_id: Option<&str>,
    user_hash: Option<&str>,
    errors: &mut FieldErrors,
) -> AppResult<Option<String>> {
    let external_id = match external_id.map(validate::external_id) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(m)) => {
            errors.add("external_id", m);
            return Ok(None);
        }
    };
    match (external_id, user_hash) {
        (None, None) => Ok(None),
        (None, Some(_)) => {
            errors.add("external_id", "is required with user_hash");
            Ok(None)
        }
        (Some(_), None) => {
            errors.add(
                "user_hash",
                "is required with external_id (identity verification)",
            );
            Ok(None)
        }
        (Some(id), Some(hash)) => {
            let secret = workspaces::current(tx).await?.identity_secret;
            if verify_user_hash(&secret, &id, hash) {
                Ok(Some(id))
            } else {
                errors.add("user_hash", HASH_MISMATCH);
                Ok(None)
            }
        }
    }
}

/// 403 `CONTACT_BLOCKED` for a blocked contact.
pub(crate) fn refuse_blocked(contact: &Contact) -> AppResult<()> {
    if contact.blocked {
        return Err(AppError::new(
            ErrorCode::ContactBlocked,
            "This business does not accept messages from you here; contact them another way.",
        ));
    }
    Ok(())
}

/// The contact a visitor is, found or created inside `uow`:
/// - verified: the contact with that external id; else the contact with the email if
///   it has no external id yet (it gains this one); else a new contact;
/// - otherwise: the contact with the email unless it is a known user (it has an
///   external id: only a verified visitor may speak as them), else a new contact.
///
/// An email that belongs to someone else is left off a new contact (emails are unique);
/// the caller keeps what the visitor typed.
pub(crate) async fn resolve_contact(
    uow: &mut Uow,
    ctx: &Ctx,
    verified: Option<&str>,
    name: Option<String>,
    email: Option<String>,
) -> AppResult<Contact> {
    if let Some(external_id) = verified
        && let Some(found) = contacts::find_by_external_id(uow.tx(), external_id).await?
    {
        return Ok(found);
    }
    let by_email = match &email {
        Some(email) => contacts::find_by_email(uow.tx(), email).await?,
        None => None,
    };
    let email = match (by_email, verified) {
        (Some(found), None) if found.external_id.is_none() => return Ok(found),
        (Some(found), Some(external_id)) if found.external_id.is_none() => {
            return set_external_id_in(uow, found, external_id).await;
        }
        (Some(_), _) => None,
        (None, _) => email,
    };
    let create = ContactCreate {
        name,
        email,
        external_id: verified.map(str::to_owned),
        ..ContactCreate::default()
    };
    create_in(uow, ctx, create, "").await
}
