//! The pool's password policy, checked wherever a password is set (SignUp,
//! AdminCreateUser, AdminSetUserPassword, NEW_PASSWORD_REQUIRED,
//! ChangePassword), and ChangePassword itself.

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Service, parse};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::model::Pool;

/// The longest password Cognito takes (`PasswordType` is 256 characters at most).
const MAX_LENGTH: usize = 256;

/// The characters Cognito counts as symbols ("Password requirements" in the
/// user-pool developer guide); a space counts too, unless it leads or trails.
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

/// `Policies.PasswordPolicy` of a pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PasswordPolicy {
    minimum_length: usize,
    require_uppercase: bool,
    require_lowercase: bool,
    require_numbers: bool,
    require_symbols: bool,
}

impl PasswordPolicy {
    /// What Cognito gives a pool created without a PasswordPolicy: at least 8
    /// characters with every class required (CreateUserPool's documented default).
    const COGNITO_DEFAULT: Self = Self {
        minimum_length: 8,
        require_uppercase: true,
        require_lowercase: true,
        require_numbers: true,
        require_symbols: true,
    };

    /// The policy of `pool`. A PasswordPolicy given without some member leaves
    /// that requirement off (the members are booleans that default to false),
    /// and MinimumLength at 8.
    pub(crate) fn of(pool: &Pool) -> Self {
        let Some(policy) = pool
            .policies
            .get("PasswordPolicy")
            .filter(|p| p.is_object())
        else {
            return Self::COGNITO_DEFAULT;
        };
        let flag = |name: &str| policy.get(name).and_then(Value::as_bool).unwrap_or(false);
        Self {
            minimum_length: policy
                .get("MinimumLength")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(8),
            require_uppercase: flag("RequireUppercase"),
            require_lowercase: flag("RequireLowercase"),
            require_numbers: flag("RequireNumbers"),
            require_symbols: flag("RequireSymbols"),
        }
    }

    /// A temporary password for AdminCreateUser that this policy accepts, as
    /// Cognito's generated ones are: every class, padded to the minimum length.
    pub(crate) fn temporary_password(&self) -> String {
        let mut password = format!("Tmp-{}!a1", ids::numeric_code());
        while password.chars().count() < self.minimum_length {
            password.push('x');
        }
        password
    }

    /// Checks `password`, naming the first rule it breaks in Cognito's words
    /// (`Password did not conform with policy: ...`). Letters and digits are
    /// the Basic Latin ones, as Cognito counts them.
    pub(crate) fn check(&self, password: &str) -> ApiResult<()> {
        let length = password.chars().count();
        let inner = password.trim_matches(' ');
        let has = |test: fn(char) -> bool| password.chars().any(test);
        let broken = if length < self.minimum_length {
            Some("Password not long enough")
        } else if length > MAX_LENGTH {
            Some("Password too long")
        } else if self.require_lowercase && !has(|c| c.is_ascii_lowercase()) {
            Some("Password must have lowercase characters")
        } else if self.require_uppercase && !has(|c| c.is_ascii_uppercase()) {
            Some("Password must have uppercase characters")
        } else if self.require_numbers && !has(|c| c.is_ascii_digit()) {
            Some("Password must have numeric characters")
        } else if self.require_symbols
            && !password.chars().any(|c| SYMBOLS.contains(c))
            && !inner.contains(' ')
        {
            Some("Password must have symbol characters")
        } else {
            None
        };
        match broken {
            Some(rule) => Err(ApiError::new(
                ErrorKind::InvalidPassword,
                format!("Password did not conform with policy: {rule}"),
            )),
            None => Ok(()),
        }
    }
}

impl Service {
    pub(super) fn change_password(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            access_token: String,
            #[serde(default)]
            previous_password: Option<String>,
            proposed_password: String,
        }
        let input: Input = parse(input)?;
        let (pool, mut user, _) = self.authenticate(&input.access_token)?;
        let previous = SecretString::from(input.previous_password.unwrap_or_default());
        // The old password is a guess like any sign-in's: it counts toward the
        // lockout, and while locked Cognito answers ChangePassword with
        // LimitExceededException (cognito-api-facts.md).
        self.check_password_under_lockout(
            &pool,
            &user,
            &previous,
            ApiError::attempt_limit_exceeded,
        )?;
        // set_password checks the policy and stores a fresh salt and verifier,
        // so SRP sign-in takes the new password at once.
        self.set_password(
            &pool,
            &mut user,
            &SecretString::from(input.proposed_password),
        )?;
        user.last_modified = ids::now();
        self.store.update_user(pool.id.as_str(), &user)?;
        Ok(json!({}))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rule(policy: &PasswordPolicy, password: &str) -> String {
        match policy.check(password) {
            Ok(()) => "ok".into(),
            Err(e) => {
                assert_eq!(e.kind, ErrorKind::InvalidPassword);
                e.message
                    .strip_prefix("Password did not conform with policy: ")
                    .unwrap()
                    .to_owned()
            }
        }
    }

    #[test]
    fn the_default_policy_needs_every_class() {
        let policy = PasswordPolicy::COGNITO_DEFAULT;
        for (password, expected) in [
            ("Ab1!", "Password not long enough"),
            ("ABCDEFG1!", "Password must have lowercase characters"),
            ("abcdefg1!", "Password must have uppercase characters"),
            ("Abcdefgh!", "Password must have numeric characters"),
            ("Abcdefgh1", "Password must have symbol characters"),
            // A space counts as a symbol inside the password, not at its ends.
            ("Abcd efgh1", "ok"),
            (" Abcdefgh1 ", "Password must have symbol characters"),
            ("Correct-Horse-9", "ok"),
            // Non-ASCII letters are not upper or lower case letters to Cognito.
            ("ÄBCDEFG1!", "Password must have lowercase characters"),
        ] {
            assert_eq!(rule(&policy, password), expected, "{password:?}");
        }
        assert_eq!(rule(&policy, &"Aa1!".repeat(65)), "Password too long");
    }

    #[test]
    fn temporary_passwords_follow_the_policy() {
        for minimum_length in [6, 8, 20, 99] {
            let policy = PasswordPolicy {
                minimum_length,
                ..PasswordPolicy::COGNITO_DEFAULT
            };
            let temporary = policy.temporary_password();
            assert_eq!(rule(&policy, &temporary), "ok", "{minimum_length}");
            assert!(temporary.chars().count() >= minimum_length);
        }
    }
}
