use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// A customer of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Customer {
    /// Identifier, prefixed `cus_`.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email address, unique ignoring case, stored as given.
    pub email: String,
    /// Phone number in E.164 form (`+15555550123`), `None` when not set.
    #[serde(default)]
    pub phone: Option<String>,
    /// When the customer was created.
    pub created_at: DateTime<Utc>,
    /// When the customer was last changed.
    pub updated_at: DateTime<Utc>,
}

/// The body of `POST /v1/customers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateCustomer {
    /// Full name, 1 to 100 characters, not blank.
    pub name: String,
    /// Email address (`local@domain`), unique ignoring case.
    pub email: String,
    /// Phone number in E.164 form. The server defaults it to none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl CreateCustomer {
    /// Creates a request with the required fields.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            email: email.into(),
            phone: None,
        }
    }

    /// Sets the phone number, in E.164 form such as `+15555550123`.
    #[must_use]
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

/// The body of `PATCH /v1/customers/{id}`: only the fields that are set change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdateCustomer {
    /// New full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// New phone number: `Some(Some(_))` sets it, `Some(None)` sends `null`,
    /// which clears it, and `None` leaves it unchanged.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_or_null"
    )]
    pub phone: Option<Option<String>>,
}

impl UpdateCustomer {
    /// Creates an empty update, which changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the email address.
    #[must_use]
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the phone number, in E.164 form.
    #[must_use]
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(Some(phone.into()));
        self
    }

    /// Removes the phone number.
    #[must_use]
    pub fn clear_phone(mut self) -> Self {
        self.phone = Some(None);
        self
    }

    /// Returns true when no field is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Decodes a field that is present, so that `null` becomes `Some(None)`
/// rather than the `None` of an absent field.
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_sends_null_to_clear_phone() {
        let json = serde_json::to_string(&UpdateCustomer::new().clear_phone()).expect("encodes");
        assert_eq!(json, r#"{"phone":null}"#);
    }

    #[test]
    fn update_leaves_out_unset_fields() {
        let json = serde_json::to_string(&UpdateCustomer::new().name("Ada")).expect("encodes");
        assert_eq!(json, r#"{"name":"Ada"}"#);
    }

    #[test]
    fn update_decodes_null_phone_as_clear() {
        let update: UpdateCustomer = serde_json::from_str(r#"{"phone":null}"#).expect("decodes");
        assert_eq!(update.phone, Some(None));

        let absent: UpdateCustomer = serde_json::from_str("{}").expect("decodes");
        assert_eq!(absent.phone, None);
    }
}
