//! User pool ids and the pool name SRP hashes.

#![forbid(unsafe_code)]

use crate::Error;

/// A user pool id such as `us-east-1_AbCdEf123`.
///
/// SRP hashes only the pool *name*, the part after `_`. Real pool ids hold exactly
/// one `_`; the references split differently when there are more (JS takes the second
/// field, Android everything after the first `_`), so such ids are refused rather
/// than guessed at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PoolId {
    id: String,
    split: usize,
}

impl PoolId {
    /// Parses `<region>_<name>`, both parts non-empty.
    pub fn parse(id: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidPoolId(id.to_owned());
        let split = id.find('_').ok_or_else(invalid)?;
        let (region, name) = (&id[..split], &id[split + 1..]);
        if region.is_empty() || name.is_empty() || name.contains('_') {
            return Err(invalid());
        }
        Ok(Self {
            id: id.to_owned(),
            split,
        })
    }

    /// The whole id.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The region part, before `_`.
    pub fn region(&self) -> &str {
        &self.id[..self.split]
    }

    /// The pool name, after `_`: what SRP hashes.
    pub fn name(&self) -> &str {
        &self.id[self.split + 1..]
    }
}

impl std::fmt::Display for PoolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

impl std::str::FromStr for PoolId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_region_and_name() {
        let pool = PoolId::parse("ap-southeast-2_XyZ0123ab").unwrap();
        assert_eq!(pool.region(), "ap-southeast-2");
        assert_eq!(pool.name(), "XyZ0123ab");
        assert_eq!(pool.to_string(), "ap-southeast-2_XyZ0123ab");
    }

    #[test]
    fn refuses_malformed_ids() {
        for bad in ["", "_", "us-east-1", "us-east-1_", "_AbC", "a_b_c"] {
            assert_eq!(
                PoolId::parse(bad),
                Err(Error::InvalidPoolId(bad.to_owned())),
                "{bad:?}"
            );
        }
    }
}
