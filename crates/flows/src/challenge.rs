//! A challenge as the engine acts on it, read once from Cognito's ChallengeName and
//! ChallengeParameters, so that every step matches over all of them.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::handler::{CodeKind, MfaKind, Prompt};
use crate::prompt;

/// What a challenge asks of the engine.
#[derive(Debug)]
pub(crate) enum Challenge {
    /// PASSWORD_VERIFIER: answered with the SRP proof of the password.
    PasswordVerifier,
    /// DEVICE_SRP_AUTH: answered with the remembered device's SRP_A.
    DeviceSrpAuth,
    /// DEVICE_PASSWORD_VERIFIER: answered with the device's SRP proof.
    DevicePasswordVerifier,
    /// MFA_SETUP offering a TOTP app, email, or both: the engine asks which (when
    /// both), associates a TOTP secret or asks for the address, then asks for the
    /// first code.
    MfaSetup {
        /// What can be set up, TOTP first; never empty.
        options: Vec<MfaKind>,
    },
    /// A challenge only a person can answer.
    Ask(Prompt),
    /// WEB_AUTHN: needs a browser authenticator.
    WebAuthn,
    /// Anything this crate cannot answer, by the name given in the error.
    Unsupported(String),
}

impl Challenge {
    /// Reads `name` with its `parameters` (and, for SELECT_CHALLENGE, the reply's
    /// AvailableChallenges).
    pub(crate) fn parse(
        name: &ChallengeNameType,
        parameters: &BTreeMap<String, String>,
        available: &[ChallengeNameType],
    ) -> Self {
        match name {
            ChallengeNameType::PasswordVerifier => Self::PasswordVerifier,
            ChallengeNameType::DeviceSrpAuth => Self::DeviceSrpAuth,
            ChallengeNameType::DevicePasswordVerifier => Self::DevicePasswordVerifier,
            ChallengeNameType::MfaSetup => {
                let can_setup = prompt::json_list(parameters.get("MFAS_CAN_SETUP"));
                // Without a list, TOTP: what Cognito offered before email MFA.
                let options: Vec<MfaKind> = [MfaKind::Totp, MfaKind::Email]
                    .into_iter()
                    .filter(|kind| {
                        (can_setup.is_empty() && *kind == MfaKind::Totp)
                            || can_setup
                                .iter()
                                .any(|m| MfaKind::from_challenge_name(m) == Some(*kind))
                    })
                    .collect();
                if options.is_empty() {
                    Self::Unsupported(format!("MFA_SETUP offering only {}", can_setup.join(", ")))
                } else {
                    Self::MfaSetup { options }
                }
            }
            ChallengeNameType::SmsMfa => Self::Ask(prompt::code(CodeKind::SmsMfa, parameters)),
            ChallengeNameType::SoftwareTokenMfa => {
                Self::Ask(prompt::code(CodeKind::SoftwareTokenMfa, parameters))
            }
            ChallengeNameType::EmailOtp => Self::Ask(prompt::code(CodeKind::EmailOtp, parameters)),
            ChallengeNameType::SmsOtp => Self::Ask(prompt::code(CodeKind::SmsOtp, parameters)),
            ChallengeNameType::SelectMfaType => Self::Ask(prompt::select_mfa(parameters)),
            ChallengeNameType::NewPasswordRequired => Self::Ask(prompt::new_password(parameters)),
            ChallengeNameType::CustomChallenge => Self::Ask(Prompt::Custom {
                parameters: parameters.clone(),
            }),
            ChallengeNameType::SelectChallenge => {
                Self::Ask(prompt::select_challenge(parameters, available))
            }
            ChallengeNameType::WebAuthn => Self::WebAuthn,
            // ADMIN_NO_SRP_AUTH, PASSWORD and PASSWORD_SRP are never asked of a
            // client; anything newer than this SDK arrives as `Unknown`.
            other => Self::Unsupported(other.as_str().to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, parameters: &[(&str, &str)]) -> Challenge {
        let parameters = parameters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Challenge::parse(&ChallengeNameType::from(name), &parameters, &[])
    }

    #[test]
    fn engine_challenges_are_recognised() {
        assert!(matches!(
            parse("PASSWORD_VERIFIER", &[]),
            Challenge::PasswordVerifier
        ));
        assert!(matches!(
            parse("DEVICE_SRP_AUTH", &[]),
            Challenge::DeviceSrpAuth
        ));
        assert!(matches!(
            parse("DEVICE_PASSWORD_VERIFIER", &[]),
            Challenge::DevicePasswordVerifier
        ));
        assert!(matches!(parse("WEB_AUTHN", &[]), Challenge::WebAuthn));
    }

    #[test]
    fn code_challenges_carry_their_kind_and_destination() {
        for (name, expected) in [
            ("SMS_MFA", CodeKind::SmsMfa),
            ("SOFTWARE_TOKEN_MFA", CodeKind::SoftwareTokenMfa),
            ("EMAIL_OTP", CodeKind::EmailOtp),
            ("SMS_OTP", CodeKind::SmsOtp),
        ] {
            let challenge = parse(name, &[("CODE_DELIVERY_DESTINATION", "+*******1234")]);
            let Challenge::Ask(Prompt::Code {
                kind, destination, ..
            }) = challenge
            else {
                panic!("{name}: {challenge:?}")
            };
            assert_eq!(kind, expected);
            assert_eq!(kind.challenge_name(), name);
            assert_eq!(destination.as_deref(), Some("+*******1234"));
        }
    }

    fn setup_options(challenge: Challenge) -> Vec<MfaKind> {
        match challenge {
            Challenge::MfaSetup { options } => options,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mfa_setup_needs_a_totp_or_email_option() {
        assert_eq!(setup_options(parse("MFA_SETUP", &[])), [MfaKind::Totp]);
        assert_eq!(
            setup_options(parse(
                "MFA_SETUP",
                &[("MFAS_CAN_SETUP", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)]
            )),
            [MfaKind::Totp]
        );
        assert_eq!(
            setup_options(parse(
                "MFA_SETUP",
                &[("MFAS_CAN_SETUP", r#"["EMAIL_OTP"]"#)]
            )),
            [MfaKind::Email]
        );
        assert_eq!(
            setup_options(parse(
                "MFA_SETUP",
                &[(
                    "MFAS_CAN_SETUP",
                    r#"["EMAIL_OTP","SOFTWARE_TOKEN_MFA","SMS_MFA"]"#
                )]
            )),
            [MfaKind::Totp, MfaKind::Email]
        );
        let Challenge::Unsupported(name) =
            parse("MFA_SETUP", &[("MFAS_CAN_SETUP", r#"["SMS_MFA"]"#)])
        else {
            panic!("SMS-only MFA_SETUP is not answerable")
        };
        assert_eq!(name, "MFA_SETUP offering only SMS_MFA");
    }

    #[test]
    fn unknown_and_server_side_challenges_are_unsupported_by_name() {
        for name in ["SOMETHING_NEW", "ADMIN_NO_SRP_AUTH", "PASSWORD_SRP"] {
            let Challenge::Unsupported(shown) = parse(name, &[]) else {
                panic!("{name} must be unsupported")
            };
            assert_eq!(shown, name);
        }
    }
}
