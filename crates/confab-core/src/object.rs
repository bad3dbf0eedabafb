//! The `object` field every API object carries (`"contact"`, `"list"`, …), fixed by the
//! type it is in: a type names itself once, in its [`Named`] impl, and its `object`
//! field is an [`ObjectName<Self>`] that serialises to that name and holds nothing.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A type the API shows as an object, with the name its `object` field carries.
pub trait Named {
    const OBJECT: &'static str;
}

/// Declares the `object` names of API types: `named!(Contact => "contact", …)`.
#[macro_export]
macro_rules! named {
    ($($ty:ty => $name:literal),+ $(,)?) => {
        $(impl $crate::object::Named for $ty {
            const OBJECT: &'static str = $name;
        })+
    };
}

/// The `object` field of a `T`: always `T::OBJECT`.
pub struct ObjectName<T: ?Sized>(PhantomData<fn() -> T>);

impl<T: ?Sized> ObjectName<T> {
    pub const fn new() -> Self {
        ObjectName(PhantomData)
    }
}

impl<T: ?Sized + Named> ObjectName<T> {
    pub fn as_str(&self) -> &'static str {
        T::OBJECT
    }
}

impl<T: ?Sized> Default for ObjectName<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: ?Sized> Clone for ObjectName<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for ObjectName<T> {}

impl<T: ?Sized> PartialEq for ObjectName<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T: ?Sized> Eq for ObjectName<T> {}

impl<T: ?Sized + Named> fmt::Debug for ObjectName<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", T::OBJECT)
    }
}

impl<T: ?Sized + Named> PartialEq<&str> for ObjectName<T> {
    fn eq(&self, other: &&str) -> bool {
        T::OBJECT == *other
    }
}

impl<T: ?Sized + Named> Serialize for ObjectName<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(T::OBJECT)
    }
}

/// Reading an object back (a stored event's payload) accepts only its own name.
impl<'de, T: ?Sized + Named> Deserialize<'de> for ObjectName<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect<T: ?Sized>(PhantomData<fn() -> T>);
        impl<T: ?Sized + Named> Visitor<'_> for Expect<T> {
            type Value = ObjectName<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "the string {:?}", T::OBJECT)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ObjectName<T>, E> {
                if v == T::OBJECT {
                    Ok(ObjectName::new())
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_str(Expect::<T>(PhantomData))
    }
}

impl<T: ?Sized + Named> ObjectName<T> {
    /// The field's schema: a string that is the one name (`#[schema(schema_with =
    /// ObjectName::<Self>::schema)]` on the field, so documents show it inline).
    pub fn schema() -> utoipa::openapi::schema::Object {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some([T::OBJECT]))
            .description(Some(format!("Always `\"{}\"`.", T::OBJECT)))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Thing;
    named!(Thing => "thing");

    #[test]
    fn an_object_field_is_its_type_s_name_both_ways() {
        let o = ObjectName::<Thing>::new();
        assert_eq!(serde_json::to_value(o).unwrap(), "thing");
        assert!(serde_json::from_value::<ObjectName<Thing>>("thing".into()).is_ok());
        let wrong = serde_json::from_value::<ObjectName<Thing>>("other".into()).unwrap_err();
        assert!(wrong.to_string().contains("\"thing\""), "{wrong}");
        assert_eq!(o, "thing");
    }
}
