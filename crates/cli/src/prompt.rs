//! Answers to challenges: from `--answer` / `--answers-file`, else typed at a
//! terminal (secrets without echo). MFA_SETUP shows the secret as text and as a QR
//! code on stderr.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use cognito_auth_flows::{
    Answer, ChallengeHandler, CodeKind, Declined, MfaKind, Prompt, TotpSetup,
};
use secrecy::{ExposeSecret, SecretSlice, SecretString};

use crate::exit::CliError;
use crate::ui::{self, Spinner};

/// Reads an answers file: a TOML or JSON map of names to strings.
pub fn read_answers_file(path: &Path) -> Result<BTreeMap<String, String>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).map_err(|e| {
            CliError::usage(format!(
                "{}: expected a JSON object of strings: {e}",
                path.display()
            ))
        })
    } else {
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| CliError::usage(format!("{}: {}", path.display(), e.message())))?;
        table
            .into_iter()
            .map(|(k, v)| match v {
                toml::Value::String(s) => Ok((k, s)),
                toml::Value::Integer(i) => Ok((k, i.to_string())),
                other => Err(CliError::usage(format!(
                    "{}: {k} must be a string, not {}",
                    path.display(),
                    other.type_str()
                ))),
            })
            .collect()
    }
}

/// RFC 6238's defaults, which Cognito's SOFTWARE_TOKEN_MFA uses.
const TOTP_STEP_SECONDS: u64 = 30;
const TOTP_DIGITS: u32 = 6;

/// The secret inside a base32 TOTP secret as authenticator apps read it: case,
/// white space and `=` padding are ignored, as are unused trailing bits.
fn decode_totp_secret(secret_base32: &str) -> Option<SecretSlice<u8>> {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
    spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    spec.check_trailing_bits = false;
    let compact: String = secret_base32
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = spec
        .encoding()
        .ok()?
        .decode(compact.trim_end_matches('=').as_bytes())
        .ok()?;
    Some(bytes.into())
}

/// The TOTP code (RFC 6238, SHA-1, 30 s, 6 digits) for a base32 secret at Unix
/// time `unix_seconds`; `None` when the secret is not base32.
fn totp_code_at(secret_base32: &str, unix_seconds: u64) -> Option<String> {
    let secret = decode_totp_secret(secret_base32)?;
    Some(totp_lite::totp_custom::<totp_lite::Sha1>(
        TOTP_STEP_SECONDS,
        TOTP_DIGITS,
        secret.expose_secret(),
        unix_seconds,
    ))
}

/// The current TOTP code for a base32 secret (RFC 6238, SHA-1, 30 s, 6 digits).
pub fn totp_code(secret_base32: &str) -> Option<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    totp_code_at(secret_base32, now)
}

/// An MFA_SETUP secret as text, its otpauth URI and a QR code of it.
fn totp_setup_text(setup: &TotpSetup) -> String {
    let mut text = format!(
        "Set up an authenticator app (TOTP) for this user.\n  secret: {}\n  uri:    {}\n",
        setup.secret.expose_secret(),
        setup.uri.expose_secret()
    );
    if let Ok(code) = qrcode::QrCode::new(setup.uri.expose_secret().as_bytes()) {
        use qrcode::render::unicode::Dense1x2;
        let image = code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build();
        text.push_str(&image);
        text.push('\n');
    }
    text
}

/// Hands an MFA_SETUP secret to the user without leaving it in logs: into
/// `out` (created owner-only) when given, else on stderr when it is a terminal.
/// Otherwise it goes nowhere, and the setup is declined with where to get it.
pub fn show_totp_setup(setup: &TotpSetup, out: Option<&Path>) -> Result<(), Declined> {
    let text = totp_setup_text(setup);
    match out {
        Some(path) => {
            write_private(path, &text).map_err(|e| {
                Declined(format!(
                    "cannot write the TOTP secret to {}: {e}",
                    path.display()
                ))
            })?;
            ui::note(&format!(
                "cognito-auth: the authenticator (TOTP) secret, URI and QR code are in {}",
                path.display()
            ));
            Ok(())
        }
        None if std::io::stderr().is_terminal() => {
            ui::note(text.trim_end());
            Ok(())
        }
        None => Err(Declined(
            "MFA_SETUP: the authenticator secret is not printed because stderr is not a terminal \
             (it would end up in logs); pass --totp-secret-out FILE to receive it"
                .into(),
        )),
    }
}

/// Writes `text` to a new file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

/// The CLI's challenge handler.
#[derive(Debug)]
pub struct CliHandler {
    /// Answers by name.
    pub answers: BTreeMap<String, String>,
    /// Whether a person is at a terminal to ask.
    pub interactive: bool,
    /// The password the sign-in started with (for SELECT_CHALLENGE's password factors).
    pub password: Option<SecretString>,
    /// Hidden while prompting.
    pub spinner: Spinner,
    /// `--totp-secret-out`: where an MFA_SETUP secret goes.
    pub totp_secret_out: Option<PathBuf>,
}

fn kind_label(kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::SmsMfa => "SMS code",
        CodeKind::SoftwareTokenMfa => "authenticator app (TOTP) code",
        CodeKind::EmailOtp => "email code",
        CodeKind::SmsOtp => "SMS one-time code",
        _ => "code",
    }
}

fn read_visible(prompt: &str) -> Result<String, Declined> {
    ui::note_inline(prompt);
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Declined(format!("reading the terminal: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).trim().to_owned())
}

fn read_secret(prompt: &str) -> Result<SecretString, Declined> {
    rpassword::prompt_password(prompt)
        .map(SecretString::from)
        .map_err(|e| Declined(format!("reading the terminal: {e}")))
}

fn choose(what: &str, options: &[String]) -> Result<String, Declined> {
    ui::note(&format!("Choose {what}:"));
    for (i, option) in options.iter().enumerate() {
        ui::note(&format!("  {}. {option}", i + 1));
    }
    let line = read_visible(&format!("{what} [1-{}]: ", options.len()))?;
    if let Ok(n) = line.parse::<usize>()
        && let Some(option) = n.checked_sub(1).and_then(|i| options.get(i))
    {
        return Ok(option.clone());
    }
    options
        .iter()
        .find(|o| o.eq_ignore_ascii_case(&line))
        .cloned()
        .ok_or_else(|| Declined(format!("{line:?} is not one of the choices")))
}

impl CliHandler {
    fn given(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| self.answers.get(*n).cloned())
    }

    fn missing(&self, challenge: &str, names: &[&str]) -> Declined {
        Declined(format!(
            "no answer given (pass --answer {}=VALUE or --answers-file, or run on a terminal)",
            names.first().copied().unwrap_or(challenge)
        ))
    }

    fn answer_now(&self, prompt: &Prompt) -> Result<Answer, Declined> {
        match prompt {
            Prompt::Code {
                kind,
                destination,
                medium,
            } => {
                let names = [kind.challenge_name(), kind.response_key(), "CODE"];
                if let Some(code) = self.given(&names) {
                    return Ok(Answer::code(code));
                }
                if *kind == CodeKind::SoftwareTokenMfa
                    && let Some(code) = self.given(&["TOTP_SECRET"]).and_then(|s| totp_code(&s))
                {
                    return Ok(Answer::code(code));
                }
                if !self.interactive {
                    return Err(self.missing(kind.challenge_name(), &names));
                }
                let whither = match (medium, destination) {
                    (Some(m), Some(d)) => format!(" (sent by {m} to {d})"),
                    (None, Some(d)) => format!(" (sent to {d})"),
                    _ => String::new(),
                };
                Ok(Answer::code(read_visible(&format!(
                    "Enter the {}{whither}: ",
                    kind_label(*kind)
                ))?))
            }
            Prompt::TotpSetup(setup) => {
                show_totp_setup(setup, self.totp_secret_out.as_deref())?;
                let names = ["MFA_SETUP", "SOFTWARE_TOKEN_MFA", "CODE"];
                if let Some(code) = self.given(&names) {
                    let code = if code.eq_ignore_ascii_case("auto") {
                        totp_code(setup.secret.expose_secret())
                            .ok_or_else(|| Declined("the TOTP secret is not base32".into()))?
                    } else {
                        code
                    };
                    return Ok(Answer::code(code));
                }
                if !self.interactive {
                    return Err(self.missing("MFA_SETUP", &names));
                }
                Ok(Answer::code(read_visible(
                    "Enter a code from the authenticator app: ",
                )?))
            }
            Prompt::SelectMfa { options } => {
                let names: Vec<String> = options
                    .iter()
                    .map(|o| o.challenge_name().to_owned())
                    .collect();
                let chosen = match self.given(&["SELECT_MFA_TYPE"]) {
                    Some(c) => c,
                    None if names.len() == 1 => names.first().cloned().unwrap_or_default(),
                    None if self.interactive => choose("a second factor", &names)?,
                    None => return Err(self.missing("SELECT_MFA_TYPE", &["SELECT_MFA_TYPE"])),
                };
                MfaKind::from_challenge_name(&chosen)
                    .map(Answer::Mfa)
                    .ok_or_else(|| Declined(format!("unknown MFA type {chosen}")))
            }
            Prompt::SelectMfaSetup { options } => {
                let names: Vec<String> = options
                    .iter()
                    .map(|o| o.challenge_name().to_owned())
                    .collect();
                // An answer for one setup's next prompt picks that setup.
                let implied = if self.given(&["MFA_SETUP_EMAIL"]).is_some() {
                    Some(MfaKind::Email.challenge_name().to_owned())
                } else if self.given(&["MFA_SETUP", "TOTP_SECRET"]).is_some() {
                    Some(MfaKind::Totp.challenge_name().to_owned())
                } else {
                    None
                };
                let chosen = match self.given(&["MFA_SETUP_SELECTION"]).or(implied) {
                    Some(c) => c,
                    None if self.interactive => choose("a second factor to set up", &names)?,
                    None => {
                        return Err(self.missing("MFA_SETUP", &["MFA_SETUP_SELECTION"]));
                    }
                };
                let kind = match chosen.to_ascii_uppercase().as_str() {
                    "TOTP" => Some(MfaKind::Totp),
                    "EMAIL" => Some(MfaKind::Email),
                    other => MfaKind::from_challenge_name(other),
                };
                kind.map(Answer::Mfa)
                    .ok_or_else(|| Declined(format!("unknown MFA type {chosen}")))
            }
            Prompt::EmailSetup => {
                let names = ["MFA_SETUP_EMAIL"];
                match self.given(&names) {
                    Some(address) => Ok(Answer::Email(address)),
                    None if self.interactive => Ok(Answer::Email(read_visible(
                        "Email address for sign-in codes: ",
                    )?)),
                    None => Err(self.missing("MFA_SETUP", &names)),
                }
            }
            Prompt::NewPassword {
                required_attributes,
                ..
            } => {
                let names = ["NEW_PASSWORD", "NEW_PASSWORD_REQUIRED"];
                let password = match self.given(&names) {
                    Some(p) => SecretString::from(p),
                    None if self.interactive => {
                        ui::note("A new password is required.");
                        let first = read_secret("New password: ")?;
                        let again = read_secret("New password again: ")?;
                        if first.expose_secret() != again.expose_secret() {
                            return Err(Declined("the two new passwords differ".into()));
                        }
                        first
                    }
                    None => return Err(self.missing("NEW_PASSWORD_REQUIRED", &names)),
                };
                let mut attributes = BTreeMap::new();
                for name in required_attributes {
                    let keyed = format!("userAttributes.{name}");
                    let value = match self.given(&[keyed.as_str(), name.as_str()]) {
                        Some(v) => v,
                        None if self.interactive => read_visible(&format!("{name}: "))?,
                        None => {
                            return Err(self.missing("NEW_PASSWORD_REQUIRED", &[keyed.as_str()]));
                        }
                    };
                    attributes.insert(name.clone(), value);
                }
                Ok(Answer::NewPassword {
                    password,
                    attributes,
                })
            }
            Prompt::Custom { parameters } => {
                let names = ["CUSTOM_CHALLENGE", "ANSWER"];
                let extra: BTreeMap<String, String> = self
                    .answers
                    .iter()
                    .filter_map(|(k, v)| {
                        k.strip_prefix("CUSTOM_CHALLENGE.")
                            .map(|k| (k.to_owned(), v.clone()))
                    })
                    .collect();
                let answer = match self.given(&names) {
                    Some(a) => SecretString::from(a),
                    None if self.interactive => {
                        if !parameters.is_empty() {
                            ui::note("Custom challenge:");
                            for (k, v) in parameters {
                                ui::note(&format!("  {k}: {v}"));
                            }
                        }
                        SecretString::from(read_visible("Answer: ")?)
                    }
                    None => return Err(self.missing("CUSTOM_CHALLENGE", &names)),
                };
                Ok(Answer::Custom { answer, extra })
            }
            Prompt::SelectChallenge { available } => {
                let chosen = match self.given(&["SELECT_CHALLENGE"]) {
                    Some(c) => c,
                    None if available.len() == 1 => available.first().cloned().unwrap_or_default(),
                    None if self.interactive => choose("a way to sign in", available)?,
                    None => return Err(self.missing("SELECT_CHALLENGE", &["SELECT_CHALLENGE"])),
                };
                let password = if chosen.starts_with("PASSWORD") {
                    match &self.password {
                        Some(p) => Some(p.clone()),
                        None if self.interactive => Some(read_secret("Password: ")?),
                        None => None,
                    }
                } else {
                    None
                };
                Ok(Answer::Select {
                    challenge: chosen,
                    password,
                })
            }
            other => Err(Declined(format!(
                "{} is not supported by this CLI",
                other.challenge_name()
            ))),
        }
    }
}

impl ChallengeHandler for CliHandler {
    async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
        self.spinner.pause();
        let answer = self.answer_now(prompt);
        self.spinner.resume();
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn totp_code_matches_rfc_6238() {
        // Appendix B, SHA-1, T = 59 s: 94287082 in 8 digits, so 287082 in our 6.
        assert_eq!(
            totp_lite::totp_custom::<totp_lite::Sha1>(30, 8, b"12345678901234567890", 59),
            "94287082"
        );
        assert_eq!(totp_code_at(RFC_SECRET, 59).as_deref(), Some("287082"));
        // T = 1111111109 s: 07081804.
        assert_eq!(
            totp_code_at(RFC_SECRET, 1_111_111_109).as_deref(),
            Some("081804")
        );
    }

    fn handler(answers: &[(&str, &str)]) -> CliHandler {
        CliHandler {
            answers: answers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            interactive: false,
            password: None,
            spinner: Spinner::start("test"),
            totp_secret_out: None,
        }
    }

    #[test]
    fn mfa_setup_choice_and_email_come_from_the_answers() {
        let select = Prompt::SelectMfaSetup {
            options: vec![MfaKind::Totp, MfaKind::Email],
        };
        let chosen = handler(&[("MFA_SETUP_SELECTION", "email")]).answer_now(&select);
        assert!(
            matches!(chosen, Ok(Answer::Mfa(MfaKind::Email))),
            "{chosen:?}"
        );
        // An answer for the email setup implies the choice.
        let implied = handler(&[("MFA_SETUP_EMAIL", "a@example.com")]).answer_now(&select);
        assert!(
            matches!(implied, Ok(Answer::Mfa(MfaKind::Email))),
            "{implied:?}"
        );
        let implied = handler(&[("MFA_SETUP", "auto")]).answer_now(&select);
        assert!(
            matches!(implied, Ok(Answer::Mfa(MfaKind::Totp))),
            "{implied:?}"
        );
        let missing = handler(&[]).answer_now(&select).unwrap_err();
        assert!(missing.0.contains("MFA_SETUP_SELECTION"), "{missing}");

        let address =
            handler(&[("MFA_SETUP_EMAIL", "a@example.com")]).answer_now(&Prompt::EmailSetup);
        assert!(
            matches!(&address, Ok(Answer::Email(a)) if a == "a@example.com"),
            "{address:?}"
        );
        let missing = handler(&[]).answer_now(&Prompt::EmailSetup).unwrap_err();
        assert!(missing.0.contains("MFA_SETUP_EMAIL"), "{missing}");
    }

    #[test]
    fn totp_secret_is_read_as_apps_read_it() {
        assert_eq!(
            totp_code_at("gezd gnbv gy3t qojq gezd gnbv gy3t qojq====", 59).as_deref(),
            Some("287082")
        );
        assert_eq!(totp_code_at("not base32!", 59), None);
        assert_eq!(totp_code_at("MZ1W", 59), None);
    }
}
