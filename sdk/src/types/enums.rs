//! String enums that tolerate values this version does not know.

/// Declares a string enum with a catch-all `Unknown(String)` variant.
///
/// The generated type serializes as its wire string, deserializes any string
/// (unknown ones into `Unknown`), and implements `Display`, `FromStr` and
/// `as_str`. `FromStr` accepts only known values, because it parses user input.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value this version knows, in declaration order.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// Returns the value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(raw) => raw,
                }
            }

            /// Returns the wire strings of every known value.
            pub fn known_values() -> impl Iterator<Item = &'static str> {
                [ $( $wire ),+ ].into_iter()
            }

            fn from_wire(raw: &str) -> Self {
                match raw {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::types::enums::UnknownVariant;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                match Self::from_wire(raw) {
                    $name::Unknown(_) => Err(crate::types::enums::UnknownVariant {
                        type_name: stringify!($name),
                        value: raw.to_owned(),
                        expected: Self::known_values().collect::<Vec<_>>().join(", "),
                    }),
                    known => Ok(known),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::from_wire(&raw))
            }
        }
    };
}

pub(crate) use string_enum;

/// The error from parsing an enum value that this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {type_name} `{value}`: expected one of {expected}")]
pub struct UnknownVariant {
    pub(crate) type_name: &'static str,
    pub(crate) value: String,
    pub(crate) expected: String,
}

string_enum! {
    /// Stock status of a plant, derived by the server from `stock` and
    /// `low_stock_threshold`.
    PlantStatus {
        /// More than `low_stock_threshold` units on hand.
        InStock => "in_stock",
        /// At least one unit, but no more than `low_stock_threshold`.
        LowStock => "low_stock",
        /// No units on hand.
        OutOfStock => "out_of_stock",
    }
}

string_enum! {
    /// Catalogue category of a plant.
    Category {
        /// Grown for their leaves (monstera, pothos, ficus).
        Foliage => "foliage",
        /// Grown for their flowers (peace lily, anthurium).
        Flowering => "flowering",
        /// Succulents other than cacti.
        Succulent => "succulent",
        /// Cacti.
        Cactus => "cactus",
        /// Ferns.
        Fern => "fern",
        /// Palms.
        Palm => "palm",
        /// Culinary and medicinal herbs.
        Herb => "herb",
        /// Trees and large shrubs.
        Tree => "tree",
        /// Orchids.
        Orchid => "orchid",
        /// Carnivorous plants.
        Carnivorous => "carnivorous",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_status_decodes_verbatim() {
        let status: PlantStatus = serde_json::from_str("\"discontinued\"").expect("decodes");
        assert_eq!(status, PlantStatus::Unknown("discontinued".into()));
        assert_eq!(
            serde_json::to_string(&status).expect("encodes"),
            "\"discontinued\""
        );
    }

    #[test]
    fn known_status_round_trips() {
        for status in PlantStatus::KNOWN {
            let json = serde_json::to_string(status).expect("encodes");
            let back: PlantStatus = serde_json::from_str(&json).expect("decodes");
            assert_eq!(&back, status);
        }
    }

    #[test]
    fn from_str_rejects_unknown_and_lists_values() {
        let err = "shrub".parse::<Category>().expect_err("unknown category");
        let message = err.to_string();
        assert!(message.contains("`shrub`"), "{message}");
        assert!(message.contains("foliage"), "{message}");
    }
}
