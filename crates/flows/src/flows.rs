//! The engine: InitiateAuth, RespondToAuthChallenge and their helpers, driven to
//! tokens.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, DeviceRememberedStatusType,
    DeviceSecretVerifierConfigType, VerifySoftwareTokenResponseType,
};
use cognito_auth_srp::{
    AppClient, Clock, DeviceSrpClient, Parameters, PoolId, RememberedDevice, SystemClock,
    UserSrpClient, register_device,
};
use secrecy::{ExposeSecret, SecretString};

use crate::devices::{DevicePolicy, DeviceStore};
use crate::error::from_sdk;
use crate::handler::{Answer, ChallengeHandler, CodeKind, MfaKind, NoHandler, Prompt, TotpSetup};
use crate::request::{FirstFactor, Metadata, Method, Refresh, SignIn};
use crate::state::{SignInState, Step};
use crate::tokens::{Claims, NewDevice, Notice, Tokens};
use crate::{Error, error};

/// The default bound on calls to Cognito in one sign-in.
pub const DEFAULT_MAX_ROUNDS: u32 = 24;

/// Signs users in to one app client of one user pool.
///
/// Built from an SDK [`Client`] the caller configured (region, endpoint, timeouts,
/// retries; no credentials are needed: Cognito does not sign InitiateAuth,
/// RespondToAuthChallenge, ConfirmDevice, AssociateSoftwareToken,
/// VerifySoftwareToken, UpdateDeviceStatus or GetTokensFromRefreshToken). Cheap to
/// clone; share it.
#[derive(Clone)]
pub struct Flows {
    client: Client,
    pool: PoolId,
    app: AppClient,
    client_secret: Option<SecretString>,
    devices: Option<Arc<dyn DeviceStore>>,
    device_policy: DevicePolicy,
    max_rounds: u32,
    clock: Arc<dyn Clock>,
    totp_issuer: String,
    totp_device_name: Option<String>,
}

impl std::fmt::Debug for Flows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flows")
            .field("pool", &self.pool)
            .field("app", &self.app)
            .field("has_device_store", &self.devices.is_some())
            .field("device_policy", &self.device_policy)
            .field("max_rounds", &self.max_rounds)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Flows`].
pub struct FlowsBuilder {
    client: Client,
    pool_id: String,
    client_id: String,
    client_secret: Option<SecretString>,
    devices: Option<Arc<dyn DeviceStore>>,
    device_policy: DevicePolicy,
    max_rounds: u32,
    clock: Arc<dyn Clock>,
    totp_issuer: String,
    totp_device_name: Option<String>,
}

impl std::fmt::Debug for FlowsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowsBuilder")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl FlowsBuilder {
    /// The app client's secret: SECRET_HASH goes on every request.
    pub fn client_secret(mut self, secret: SecretString) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Where remembered devices are kept. Without one, no DEVICE_KEY is sent and new
    /// devices are not confirmed.
    pub fn device_store(mut self, store: Arc<dyn DeviceStore>) -> Self {
        self.devices = Some(store);
        self
    }

    /// What to do with `NewDeviceMetadata` (default: nothing).
    pub fn device_policy(mut self, policy: DevicePolicy) -> Self {
        self.device_policy = policy;
        self
    }

    /// The most calls to Cognito one sign-in may take (default
    /// [`DEFAULT_MAX_ROUNDS`]).
    pub fn max_rounds(mut self, rounds: u32) -> Self {
        self.max_rounds = rounds.max(1);
        self
    }

    /// The clock for TIMESTAMP (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The issuer shown in authenticator apps at TOTP setup (default `AWSCognito`).
    pub fn totp_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.totp_issuer = issuer.into();
        self
    }

    /// `FriendlyDeviceName` for VerifySoftwareToken at TOTP setup.
    pub fn totp_device_name(mut self, name: impl Into<String>) -> Self {
        self.totp_device_name = Some(name.into());
        self
    }

    /// Checks the pool id and builds.
    pub fn build(self) -> Result<Flows, Error> {
        let pool = PoolId::parse(&self.pool_id)?;
        if self.client_id.is_empty() {
            return Err(Error::Config("empty client id".into()));
        }
        let app = match &self.client_secret {
            Some(secret) => AppClient::with_secret(self.client_id, secret.clone()),
            None => AppClient::new(self.client_id),
        };
        Ok(Flows {
            client: self.client,
            pool,
            app,
            client_secret: self.client_secret,
            devices: self.devices,
            device_policy: self.device_policy,
            max_rounds: self.max_rounds,
            clock: self.clock,
            totp_issuer: self.totp_issuer,
            totp_device_name: self.totp_device_name,
        })
    }
}

/// One Cognito answer, whichever call gave it.
struct Reply {
    challenge: Option<String>,
    session: Option<String>,
    parameters: BTreeMap<String, String>,
    result: Option<AuthenticationResultType>,
    available: Vec<String>,
}

impl From<InitiateAuthOutput> for Reply {
    fn from(out: InitiateAuthOutput) -> Self {
        Self {
            challenge: out.challenge_name().map(|c| c.as_str().to_owned()),
            session: out.session().map(str::to_owned),
            parameters: out
                .challenge_parameters()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            available: out
                .available_challenges()
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            result: out.authentication_result,
        }
    }
}

impl From<RespondToAuthChallengeOutput> for Reply {
    fn from(out: RespondToAuthChallengeOutput) -> Self {
        Self {
            challenge: out.challenge_name().map(|c| c.as_str().to_owned()),
            session: out.session().map(str::to_owned),
            parameters: out
                .challenge_parameters()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            available: Vec::new(),
            result: out.authentication_result,
        }
    }
}

/// What lives only for the duration of one call into the engine: the password,
/// the SRP ephemerals, the remembered device. Never serialized.
struct Live<'a> {
    password: Option<&'a SecretString>,
    srp: Option<UserSrpClient>,
    device: Option<RememberedDevice>,
    device_srp: Option<DeviceSrpClient>,
}

impl<'a> Live<'a> {
    fn new(password: Option<&'a SecretString>) -> Self {
        Self {
            password,
            srp: None,
            device: None,
            device_srp: None,
        }
    }
}

fn json_list(text: Option<&String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str::<Vec<String>>(t).ok())
        .unwrap_or_default()
}

impl Flows {
    /// Starts building: the SDK client, the user pool id (`us-east-1_AbCdEf123`) and
    /// the app client id.
    pub fn builder(
        client: Client,
        pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> FlowsBuilder {
        FlowsBuilder {
            client,
            pool_id: pool_id.into(),
            client_id: client_id.into(),
            client_secret: None,
            devices: None,
            device_policy: DevicePolicy::default(),
            max_rounds: DEFAULT_MAX_ROUNDS,
            clock: Arc::new(SystemClock),
            totp_issuer: "AWSCognito".into(),
            totp_device_name: None,
        }
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The user pool.
    pub fn pool_id(&self) -> &PoolId {
        &self.pool
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        self.app.id()
    }

    /// SECRET_HASH for `username`, or `None` without a client secret: for callers of
    /// [`Self::initiate`] / [`Self::respond`].
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.app.secret_hash(username)
    }

    // ---------------------------------------------------------------- whole loops

    /// Signs in, asking `handler` for whatever only a person knows, until tokens.
    pub async fn sign_in<H: ChallengeHandler>(
        &self,
        sign_in: &SignIn,
        handler: &H,
    ) -> Result<Tokens, Error> {
        let mut live = Live::new(sign_in.password.as_ref());
        let mut step = self.start_live(sign_in, &mut live).await?;
        loop {
            match step {
                Step::Done(tokens) => return Ok(tokens),
                Step::Challenge { state, prompt } => {
                    let answer =
                        handler
                            .answer(&prompt)
                            .await
                            .map_err(|declined| Error::NotAnswered {
                                challenge: prompt.challenge_name().to_owned(),
                                reason: declined.0,
                            })?;
                    step = self.answer_live(state, answer, &mut live).await?;
                }
            }
        }
    }

    /// USER_SRP_AUTH with no handler: any challenge beyond SRP and device SRP ends it
    /// with [`Error::NotAnswered`].
    pub async fn sign_in_srp(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<Tokens, Error> {
        self.sign_in(&SignIn::srp(username, password.clone()), &NoHandler)
            .await
    }

    /// USER_PASSWORD_AUTH with no handler.
    pub async fn sign_in_password(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<Tokens, Error> {
        self.sign_in(&SignIn::password(username, password.clone()), &NoHandler)
            .await
    }

    // ---------------------------------------------------------------- step-wise

    /// Starts a sign-in and runs it as far as it goes without a person: SRP, device
    /// SRP, and straight to tokens when nothing else is asked.
    pub async fn start(&self, sign_in: &SignIn) -> Result<Step, Error> {
        let mut live = Live::new(sign_in.password.as_ref());
        self.start_live(sign_in, &mut live).await
    }

    /// Answers the challenge `state` is waiting on, and runs on as far as it goes.
    pub async fn answer(&self, state: SignInState, answer: Answer) -> Result<Step, Error> {
        let mut live = Live::new(None);
        self.answer_live(state, answer, &mut live).await
    }

    // ---------------------------------------------------------------- raw calls

    /// InitiateAuth as given (no SECRET_HASH or DEVICE_KEY added: see
    /// [`Self::secret_hash`]), with the metadata.
    pub async fn initiate(
        &self,
        flow: AuthFlowType,
        parameters: HashMap<String, String>,
        session: Option<&str>,
        metadata: &Metadata,
    ) -> Result<InitiateAuthOutput, Error> {
        self.client
            .initiate_auth()
            .client_id(self.app.id())
            .auth_flow(flow)
            .set_auth_parameters(Some(parameters))
            .set_session(session.map(str::to_owned))
            .set_client_metadata(metadata.client_metadata_map())
            .set_analytics_metadata(metadata.analytics())
            .set_user_context_data(metadata.user_context_data())
            .send()
            .await
            .map_err(from_sdk)
    }

    /// RespondToAuthChallenge as given, with the metadata.
    pub async fn respond(
        &self,
        challenge: ChallengeNameType,
        session: Option<&str>,
        responses: HashMap<String, String>,
        metadata: &Metadata,
    ) -> Result<RespondToAuthChallengeOutput, Error> {
        self.client
            .respond_to_auth_challenge()
            .client_id(self.app.id())
            .challenge_name(challenge)
            .set_session(session.map(str::to_owned))
            .set_challenge_responses(Some(responses))
            .set_client_metadata(metadata.client_metadata_map())
            .set_analytics_metadata(metadata.analytics())
            .set_user_context_data(metadata.user_context_data())
            .send()
            .await
            .map_err(from_sdk)
    }

    /// ConfirmDevice for a new device with a fresh verifier. Returns the device to
    /// store and `UserConfirmationNecessary`. (Does not touch the device store.)
    pub async fn confirm_device(
        &self,
        access_token: &SecretString,
        new_device: &NewDevice,
        device_name: Option<&str>,
    ) -> Result<(RememberedDevice, bool), Error> {
        let registration = register_device(&new_device.device_group_key, &new_device.device_key)?;
        let config = DeviceSecretVerifierConfigType::builder()
            .password_verifier(registration.verifier_config.password_verifier.clone())
            .salt(registration.verifier_config.salt.clone())
            .build();
        let out = self
            .client
            .confirm_device()
            .access_token(access_token.expose_secret())
            .device_key(&new_device.device_key)
            .device_secret_verifier_config(config)
            .set_device_name(device_name.map(str::to_owned))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok((registration.device, out.user_confirmation_necessary()))
    }

    // ---------------------------------------------------------------- refresh

    /// Refreshes: REFRESH_TOKEN_AUTH (or GetTokensFromRefreshToken with
    /// [`Refresh::rotating`]), with SECRET_HASH over the internal username and the
    /// DEVICE_KEY the token was issued to. If Cognito no longer knows that device,
    /// it is forgotten and the refresh repeated without it
    /// ([`Notice::DeviceForgotten`]).
    pub async fn refresh(&self, refresh: &Refresh) -> Result<Tokens, Error> {
        let device_key = match &refresh.device_key {
            Some(key) => Some(key.clone()),
            None => match (&self.devices, &refresh.username) {
                (Some(store), Some(username)) => store
                    .load(self.pool.as_str(), username)
                    .map_err(|e| Error::DeviceStore(e.0))?
                    .map(|d| d.device_key().to_owned()),
                _ => None,
            },
        };
        match self.refresh_once(refresh, device_key.as_deref()).await {
            Err(Error::DeviceNotFound) if device_key.is_some() => {
                let stale = device_key.unwrap_or_default();
                self.forget_device(&stale)?;
                let mut tokens = self.refresh_once(refresh, None).await?;
                tokens
                    .notices
                    .push(Notice::DeviceForgotten { device_key: stale });
                Ok(tokens)
            }
            other => other,
        }
    }

    async fn refresh_once(
        &self,
        refresh: &Refresh,
        device_key: Option<&str>,
    ) -> Result<Tokens, Error> {
        let result = if refresh.rotate {
            let out = self
                .client
                .get_tokens_from_refresh_token()
                .client_id(self.app.id())
                .refresh_token(refresh.refresh_token.expose_secret())
                .set_client_secret(
                    self.client_secret
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned()),
                )
                .set_device_key(device_key.map(str::to_owned))
                .set_client_metadata(refresh.metadata.client_metadata_map())
                .customize()
                .config_override(
                    aws_sdk_cognitoidentityprovider::Config::builder()
                        .credentials_provider(crate::unsigned::placeholder_credentials()),
                )
                .interceptor(crate::unsigned::StripSignature)
                .send()
                .await
                .map_err(from_sdk)?;
            out.authentication_result
        } else {
            let mut parameters = HashMap::new();
            parameters.insert(
                "REFRESH_TOKEN".to_owned(),
                refresh.refresh_token.expose_secret().to_owned(),
            );
            if self.app.has_secret() {
                let username = refresh.username.as_deref().ok_or_else(|| {
                    Error::Config(
                        "refreshing with a client secret needs the internal username \
                         (Refresh::with_username) for SECRET_HASH"
                            .into(),
                    )
                })?;
                if let Some(hash) = self.app.secret_hash(username) {
                    parameters.insert("SECRET_HASH".to_owned(), hash);
                }
            }
            if let Some(key) = device_key {
                parameters.insert("DEVICE_KEY".to_owned(), key.to_owned());
            }
            let out = self
                .initiate(
                    AuthFlowType::RefreshTokenAuth,
                    parameters,
                    None,
                    &refresh.metadata,
                )
                .await?;
            if let Some(name) = out.challenge_name() {
                return Err(Error::UnsupportedChallenge {
                    name: format!("{} (in reply to a refresh)", name.as_str()),
                });
            }
            out.authentication_result
        };
        let result = result.ok_or_else(|| Error::MalformedReply {
            detail: "refresh returned no AuthenticationResult".into(),
        })?;
        let mut tokens = tokens_from_result(&result)?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh.refresh_token.clone());
        }
        tokens.username = tokens
            .access_claims()
            .ok()
            .and_then(|c| c.username().map(str::to_owned))
            .or_else(|| refresh.username.clone());
        tokens.device_key = device_key
            .map(str::to_owned)
            .or_else(|| tokens.new_device.as_ref().map(|d| d.device_key.clone()));
        Ok(tokens)
    }

    // ---------------------------------------------------------------- engine

    fn load_device(&self, username: &str) -> Result<Option<RememberedDevice>, Error> {
        match &self.devices {
            Some(store) => store
                .load(self.pool.as_str(), username)
                .map_err(|e| Error::DeviceStore(e.0)),
            None => Ok(None),
        }
    }

    fn forget_device(&self, device_key: &str) -> Result<(), Error> {
        tracing::info!(
            device_key,
            "Cognito no longer knows the device; forgetting it"
        );
        match &self.devices {
            Some(store) => store
                .forget(self.pool.as_str(), device_key)
                .map_err(|e| Error::DeviceStore(e.0)),
            None => Ok(()),
        }
    }

    async fn start_live(&self, sign_in: &SignIn, live: &mut Live<'_>) -> Result<Step, Error> {
        let uses_device = !matches!(sign_in.method, Method::Custom { srp_first: false });
        let device = if uses_device {
            self.load_device(&sign_in.username)?
        } else {
            None
        };
        let stale = device.as_ref().map(|d| d.device_key().to_owned());
        match self.attempt(sign_in, live, device, Vec::new()).await {
            Err(Error::DeviceNotFound) if stale.is_some() => {
                let stale = stale.unwrap_or_default();
                self.forget_device(&stale)?;
                live.srp = None;
                live.device_srp = None;
                let notices = vec![Notice::DeviceForgotten { device_key: stale }];
                self.attempt(sign_in, live, None, notices).await
            }
            other => other,
        }
    }

    async fn attempt(
        &self,
        sign_in: &SignIn,
        live: &mut Live<'_>,
        device: Option<RememberedDevice>,
        notices: Vec<Notice>,
    ) -> Result<Step, Error> {
        let username = sign_in.username.as_str();
        let mut state = SignInState::new(username, sign_in.metadata.clone(), notices);
        state.device_key = device.as_ref().map(|d| d.device_key().to_owned());
        let device_key = state.device_key.clone();
        live.device = device;

        let mut parameters = Parameters::new();
        let mut session = None;
        let needs_password = matches!(
            &sign_in.method,
            Method::Srp
                | Method::Password
                | Method::Custom { srp_first: true }
                | Method::UserAuth {
                    preferred: Some(FirstFactor::PasswordSrp | FirstFactor::Password),
                    ..
                }
        );
        if needs_password && sign_in.password.is_none() {
            return Err(Error::PasswordNeeded {
                step: "this sign-in method",
            });
        }
        let flow = match &sign_in.method {
            Method::Srp | Method::Custom { srp_first: true } => {
                let srp = UserSrpClient::new(self.pool.clone(), self.app.clone())?;
                parameters = srp.initiate_auth_parameters(username, device_key.as_deref());
                live.srp = Some(srp);
                if matches!(sign_in.method, Method::Srp) {
                    AuthFlowType::UserSrpAuth
                } else {
                    parameters.insert("CHALLENGE_NAME".into(), "SRP_A".into());
                    AuthFlowType::CustomAuth
                }
            }
            Method::Password => {
                let password = sign_in.password.as_ref().ok_or(Error::PasswordNeeded {
                    step: "USER_PASSWORD_AUTH",
                })?;
                parameters.insert("USERNAME".into(), username.into());
                parameters.insert("PASSWORD".into(), password.expose_secret().to_owned());
                if let Some(key) = &device_key {
                    parameters.insert("DEVICE_KEY".into(), key.clone());
                }
                AuthFlowType::UserPasswordAuth
            }
            Method::Custom { srp_first: false } => {
                parameters.insert("USERNAME".into(), username.into());
                AuthFlowType::CustomAuth
            }
            Method::UserAuth {
                preferred,
                session: sign_up_session,
            } => {
                parameters.insert("USERNAME".into(), username.into());
                if let Some(key) = &device_key {
                    parameters.insert("DEVICE_KEY".into(), key.clone());
                }
                session = sign_up_session
                    .as_ref()
                    .map(|s| s.expose_secret().to_owned());
                if let Some(factor) = preferred {
                    parameters.insert("PREFERRED_CHALLENGE".into(), factor.as_str().into());
                    match factor {
                        FirstFactor::PasswordSrp => {
                            let srp = UserSrpClient::new(self.pool.clone(), self.app.clone())?;
                            parameters.insert("SRP_A".into(), srp.srp_a());
                            live.srp = Some(srp);
                        }
                        FirstFactor::Password => {
                            let password =
                                sign_in.password.as_ref().ok_or(Error::PasswordNeeded {
                                    step: "USER_AUTH with PREFERRED_CHALLENGE=PASSWORD",
                                })?;
                            parameters
                                .insert("PASSWORD".into(), password.expose_secret().to_owned());
                        }
                        FirstFactor::EmailOtp | FirstFactor::SmsOtp => {}
                    }
                }
                AuthFlowType::UserAuth
            }
        };
        if !parameters.contains_key("SECRET_HASH")
            && let Some(hash) = self.app.secret_hash(username)
        {
            parameters.insert("SECRET_HASH".into(), hash);
        }

        self.count_round(&mut state)?;
        let reply = self
            .initiate(
                flow,
                parameters.into_iter().collect(),
                session.as_deref(),
                &state.metadata,
            )
            .await?;
        self.drive(state, live, reply.into()).await
    }

    async fn answer_live(
        &self,
        mut state: SignInState,
        answer: Answer,
        live: &mut Live<'_>,
    ) -> Result<Step, Error> {
        // A step-wise answer has no device in hand: fetch the one this sign-in
        // offered, in case Cognito goes on to DEVICE_SRP_AUTH.
        if live.device.is_none()
            && let Some(key) = &state.device_key
        {
            live.device = self
                .load_device(&state.typed_username)?
                .filter(|device| device.device_key() == key);
        }
        let challenge = state.challenge.clone();
        let wrong = |detail: &str| Error::WrongAnswerKind {
            challenge: challenge.clone(),
            detail: detail.to_owned(),
        };
        let mut responses = Parameters::new();
        responses.insert("USERNAME".into(), state.username.clone());
        let respond_as = match (challenge.as_str(), answer) {
            ("MFA_SETUP", Answer::Code(code)) => {
                // The secret was associated when the prompt was made; verify the
                // first code, then continue with VerifySoftwareToken's session.
                self.count_round(&mut state)?;
                let out = self
                    .client
                    .verify_software_token()
                    .set_session(state.session.as_ref().map(|s| s.expose_secret().to_owned()))
                    .user_code(code.expose_secret())
                    .set_friendly_device_name(self.totp_device_name.clone())
                    .send()
                    .await
                    .map_err(from_sdk)?;
                if out.status() != Some(&VerifySoftwareTokenResponseType::Success) {
                    return Err(Error::CodeMismatch);
                }
                if let Some(session) = out.session() {
                    state.session = Some(SecretString::from(session.to_owned()));
                }
                "MFA_SETUP".to_owned()
            }
            (name, Answer::Code(code)) => {
                let kind = CodeKind::from_challenge_name(name)
                    .ok_or_else(|| wrong("a code answers only a code challenge"))?;
                responses.insert(kind.response_key().into(), code.expose_secret().to_owned());
                name.to_owned()
            }
            ("SELECT_MFA_TYPE", Answer::Mfa(kind)) => {
                responses.insert("ANSWER".into(), kind.challenge_name().into());
                "SELECT_MFA_TYPE".to_owned()
            }
            (
                "NEW_PASSWORD_REQUIRED",
                Answer::NewPassword {
                    password,
                    attributes,
                },
            ) => {
                responses.insert("NEW_PASSWORD".into(), password.expose_secret().to_owned());
                for (name, value) in attributes {
                    let name = name
                        .strip_prefix("userAttributes.")
                        .map(str::to_owned)
                        .unwrap_or(name);
                    responses.insert(format!("userAttributes.{name}"), value);
                }
                "NEW_PASSWORD_REQUIRED".to_owned()
            }
            ("CUSTOM_CHALLENGE", Answer::Custom { answer, extra }) => {
                for (key, value) in extra {
                    responses.insert(key, value);
                }
                responses.insert("ANSWER".into(), answer.expose_secret().to_owned());
                "CUSTOM_CHALLENGE".to_owned()
            }
            (
                "SELECT_CHALLENGE",
                Answer::Select {
                    challenge: chosen,
                    password,
                },
            ) => {
                let password = password.as_ref().or(live.password);
                match chosen.as_str() {
                    "WEB_AUTHN" => return Err(Error::WebAuthnNotSupported),
                    "PASSWORD_SRP" => {
                        if password.is_none() {
                            return Err(Error::PasswordNeeded {
                                step: "SELECT_CHALLENGE PASSWORD_SRP",
                            });
                        }
                        let srp = UserSrpClient::new(self.pool.clone(), self.app.clone())?;
                        responses.insert("SRP_A".into(), srp.srp_a());
                        live.srp = Some(srp);
                    }
                    "PASSWORD" => {
                        let password = password.ok_or(Error::PasswordNeeded {
                            step: "SELECT_CHALLENGE PASSWORD",
                        })?;
                        responses.insert("PASSWORD".into(), password.expose_secret().to_owned());
                    }
                    _ => {}
                }
                // The password is needed again for PASSWORD_VERIFIER in this call.
                let owned = password.cloned();
                responses.insert("ANSWER".into(), chosen);
                return self
                    .respond_and_drive(state, live, "SELECT_CHALLENGE", responses, owned)
                    .await;
            }
            (_, _) => return Err(wrong("this answer does not fit the challenge")),
        };
        self.respond_and_drive(state, live, &respond_as, responses, None)
            .await
    }

    async fn respond_and_drive(
        &self,
        mut state: SignInState,
        live: &mut Live<'_>,
        challenge: &str,
        responses: Parameters,
        password: Option<SecretString>,
    ) -> Result<Step, Error> {
        let reply = self.respond_round(&mut state, challenge, responses).await?;
        match password {
            Some(password) => {
                let mut inner = Live {
                    password: Some(&password),
                    srp: live.srp.take(),
                    device: live.device.take(),
                    device_srp: live.device_srp.take(),
                };
                let result = self.drive(state, &mut inner, reply).await;
                if matches!(result, Err(Error::DeviceNotFound))
                    && let Some(device) = &inner.device
                {
                    self.forget_device(device.device_key())?;
                }
                result
            }
            None => self.drive(state, live, reply).await,
        }
    }

    fn count_round(&self, state: &mut SignInState) -> Result<(), Error> {
        if state.rounds >= self.max_rounds {
            return Err(Error::TooManyRounds {
                rounds: self.max_rounds,
            });
        }
        state.rounds += 1;
        Ok(())
    }

    async fn respond_round(
        &self,
        state: &mut SignInState,
        challenge: &str,
        mut responses: Parameters,
    ) -> Result<Reply, Error> {
        self.count_round(state)?;
        if !responses.contains_key("SECRET_HASH")
            && let Some(username) = responses.get("USERNAME")
            && let Some(hash) = self.app.secret_hash(username)
        {
            responses.insert("SECRET_HASH".into(), hash);
        }
        let session = state.session.as_ref().map(|s| s.expose_secret().to_owned());
        let out = self
            .respond(
                ChallengeNameType::from(challenge),
                session.as_deref(),
                responses.into_iter().collect(),
                &state.metadata,
            )
            .await?;
        Ok(out.into())
    }

    /// Runs from a Cognito reply until tokens or a prompt.
    async fn drive(
        &self,
        mut state: SignInState,
        live: &mut Live<'_>,
        mut reply: Reply,
    ) -> Result<Step, Error> {
        loop {
            state.session = reply.session.take().map(SecretString::from);
            if let Some(result) = reply.result.take() {
                return self.finish(state, live, &result).await.map(Step::Done);
            }
            let Some(challenge) = reply.challenge.take() else {
                return Err(Error::MalformedReply {
                    detail: "neither AuthenticationResult nor ChallengeName".into(),
                });
            };
            let parameters = std::mem::take(&mut reply.parameters);
            if let Some(username) = parameters
                .get("USERNAME")
                .or_else(|| parameters.get("USER_ID_FOR_SRP"))
                .filter(|u| !u.is_empty())
            {
                state.username = username.clone();
            }
            tracing::debug!(challenge = challenge.as_str(), "Cognito challenge");
            state.challenge = challenge.clone();
            let responses = match challenge.as_str() {
                "PASSWORD_VERIFIER" => {
                    let srp = live.srp.as_ref().ok_or_else(|| Error::MalformedReply {
                        detail: "PASSWORD_VERIFIER without an SRP_A having been sent".into(),
                    })?;
                    let password = live.password.ok_or(Error::PasswordNeeded {
                        step: "PASSWORD_VERIFIER",
                    })?;
                    let device_key = live.device.as_ref().map(|d| d.device_key().to_owned());
                    srp.password_verifier_responses(
                        &parameters,
                        password,
                        device_key.as_deref(),
                        self.clock.as_ref(),
                    )?
                }
                "DEVICE_SRP_AUTH" => {
                    let device = live.device.clone().ok_or_else(|| Error::MalformedReply {
                        detail: "DEVICE_SRP_AUTH without a remembered device".into(),
                    })?;
                    let device_srp = DeviceSrpClient::new(self.app.clone(), device)?;
                    let responses = device_srp.device_srp_auth_responses(&state.username);
                    live.device_srp = Some(device_srp);
                    responses
                }
                "DEVICE_PASSWORD_VERIFIER" => {
                    let device_srp =
                        live.device_srp
                            .as_ref()
                            .ok_or_else(|| Error::MalformedReply {
                                detail: "DEVICE_PASSWORD_VERIFIER before DEVICE_SRP_AUTH".into(),
                            })?;
                    let responses = device_srp.device_password_verifier_responses(
                        &parameters,
                        &state.username,
                        self.clock.as_ref(),
                    )?;
                    if let Some(device) = &live.device {
                        state.notices.push(Notice::DeviceAuthenticated {
                            device_key: device.device_key().to_owned(),
                        });
                    }
                    responses
                }
                "WEB_AUTHN" => return Err(Error::WebAuthnNotSupported),
                "MFA_SETUP" => {
                    let prompt = self.totp_setup(&mut state, &parameters).await?;
                    state.parameters = parameters;
                    return Ok(Step::Challenge { state, prompt });
                }
                name => {
                    let prompt = prompt_for(name, &parameters, &reply.available)?;
                    state.parameters = parameters;
                    return Ok(Step::Challenge { state, prompt });
                }
            };
            reply = self
                .respond_round(&mut state, &challenge, responses)
                .await?;
        }
    }

    async fn totp_setup(
        &self,
        state: &mut SignInState,
        parameters: &BTreeMap<String, String>,
    ) -> Result<Prompt, Error> {
        let can_setup = json_list(parameters.get("MFAS_CAN_SETUP"));
        if !can_setup.is_empty() && !can_setup.iter().any(|m| m == "SOFTWARE_TOKEN_MFA") {
            return Err(Error::UnsupportedChallenge {
                name: format!("MFA_SETUP offering only {}", can_setup.join(", ")),
            });
        }
        self.count_round(state)?;
        let out = self
            .client
            .associate_software_token()
            .set_session(state.session.as_ref().map(|s| s.expose_secret().to_owned()))
            .send()
            .await
            .map_err(from_sdk)?;
        let secret = out.secret_code().ok_or_else(|| Error::MalformedReply {
            detail: "AssociateSoftwareToken returned no SecretCode".into(),
        })?;
        if let Some(session) = out.session() {
            state.session = Some(SecretString::from(session.to_owned()));
        }
        let label = format!(
            "{}:{}",
            percent_encode(&self.totp_issuer),
            percent_encode(&state.typed_username)
        );
        let uri = format!(
            "otpauth://totp/{label}?secret={}&issuer={}",
            percent_encode(secret),
            percent_encode(&self.totp_issuer)
        );
        Ok(Prompt::TotpSetup(TotpSetup {
            secret: SecretString::from(secret.to_owned()),
            uri: SecretString::from(uri),
        }))
    }

    async fn finish(
        &self,
        state: SignInState,
        live: &Live<'_>,
        result: &AuthenticationResultType,
    ) -> Result<Tokens, Error> {
        let mut tokens = tokens_from_result(result)?;
        tokens.notices = state.notices;
        let claims = tokens.access_claims().ok();
        let internal = claims
            .as_ref()
            .and_then(|c| c.username().map(str::to_owned))
            .unwrap_or_else(|| state.username.clone());
        tokens.username = Some(internal.clone());
        // The device the tokens belong to: a new one, the one in the access token,
        // or the remembered one if Cognito authenticated it (a DEVICE_KEY Cognito
        // ignored is not it).
        let device_authenticated = tokens
            .notices
            .iter()
            .any(|n| matches!(n, Notice::DeviceAuthenticated { .. }));
        tokens.device_key = tokens
            .new_device
            .as_ref()
            .map(|d| d.device_key.clone())
            .or_else(|| {
                claims
                    .as_ref()
                    .and_then(|c: &Claims| c.device_key().map(str::to_owned))
            })
            .or_else(|| {
                live.device
                    .as_ref()
                    .filter(|_| device_authenticated)
                    .map(|d| d.device_key().to_owned())
            });
        let (device_name, remember) = match &self.device_policy {
            DevicePolicy::Ignore => return Ok(tokens),
            DevicePolicy::Confirm { device_name } => (device_name.clone(), false),
            DevicePolicy::Remember { device_name } => (device_name.clone(), true),
        };
        let Some(new_device) = tokens.new_device.clone() else {
            return Ok(tokens);
        };
        let confirmed = self
            .confirm_device(&tokens.access_token, &new_device, device_name.as_deref())
            .await;
        let (device, necessary) = match confirmed {
            Ok(done) => done,
            Err(error) => {
                // The sign-in itself succeeded: hand the tokens back and say what failed.
                tracing::warn!(%error, "ConfirmDevice failed");
                tokens.notices.push(Notice::DeviceConfirmFailed {
                    device_key: new_device.device_key,
                    reason: error.to_string(),
                });
                return Ok(tokens);
            }
        };
        let mut remembered = !necessary;
        if remember && necessary {
            let status = self
                .client
                .update_device_status()
                .access_token(tokens.access_token.expose_secret())
                .device_key(&new_device.device_key)
                .device_remembered_status(DeviceRememberedStatusType::Remembered)
                .send()
                .await;
            match status {
                Ok(_) => remembered = true,
                Err(error) => {
                    let error = from_sdk(error);
                    tracing::warn!(%error, "UpdateDeviceStatus failed");
                }
            }
        }
        if let Some(store) = &self.devices {
            let pool = self.pool.as_str();
            store
                .save(pool, &internal, &device)
                .map_err(|e| Error::DeviceStore(e.0))?;
            if state.typed_username != internal {
                store
                    .save(pool, &state.typed_username, &device)
                    .map_err(|e| Error::DeviceStore(e.0))?;
            }
        }
        tokens.notices.push(Notice::DeviceConfirmed {
            device_key: new_device.device_key,
            user_confirmation_necessary: necessary,
            remembered,
        });
        Ok(tokens)
    }
}

/// The prompt for a challenge only a person can answer.
fn prompt_for(
    name: &str,
    parameters: &BTreeMap<String, String>,
    available: &[String],
) -> Result<Prompt, Error> {
    if let Some(kind) = CodeKind::from_challenge_name(name) {
        return Ok(Prompt::Code {
            kind,
            destination: parameters.get("CODE_DELIVERY_DESTINATION").cloned(),
            medium: parameters.get("CODE_DELIVERY_DELIVERY_MEDIUM").cloned(),
        });
    }
    match name {
        "SELECT_MFA_TYPE" => {
            let options = json_list(parameters.get("MFAS_CAN_CHOOSE"))
                .iter()
                .filter_map(|m| MfaKind::from_challenge_name(m))
                .collect::<Vec<_>>();
            Ok(Prompt::SelectMfa { options })
        }
        "NEW_PASSWORD_REQUIRED" => {
            let required_attributes = json_list(parameters.get("requiredAttributes"))
                .into_iter()
                .map(|a| {
                    a.strip_prefix("userAttributes.")
                        .map(str::to_owned)
                        .unwrap_or(a)
                })
                .collect();
            let user_attributes = parameters
                .get("userAttributes")
                .and_then(|t| {
                    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(t).ok()
                })
                .map(|map| {
                    map.into_iter()
                        .map(|(k, v)| {
                            let v = match v {
                                serde_json::Value::String(s) => s,
                                other => other.to_string(),
                            };
                            (k, v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(Prompt::NewPassword {
                required_attributes,
                user_attributes,
            })
        }
        "CUSTOM_CHALLENGE" => Ok(Prompt::Custom {
            parameters: parameters.clone(),
        }),
        "SELECT_CHALLENGE" => {
            let mut available = available.to_vec();
            if available.is_empty() {
                available = json_list(parameters.get("AvailableChallenges"));
            }
            Ok(Prompt::SelectChallenge { available })
        }
        other => Err(Error::UnsupportedChallenge {
            name: other.to_owned(),
        }),
    }
}

fn tokens_from_result(result: &AuthenticationResultType) -> Result<Tokens, Error> {
    let access_token = result.access_token().ok_or_else(|| Error::MalformedReply {
        detail: "AuthenticationResult without AccessToken".into(),
    })?;
    let expires_in = Duration::from_secs(u64::try_from(result.expires_in()).unwrap_or(0));
    Ok(Tokens {
        access_token: SecretString::from(access_token.to_owned()),
        id_token: result.id_token().map(|t| SecretString::from(t.to_owned())),
        refresh_token: result
            .refresh_token()
            .map(|t| SecretString::from(t.to_owned())),
        token_type: result.token_type().map(str::to_owned),
        expires_in,
        expires_at: SystemTime::now() + expires_in,
        new_device: result.new_device_metadata().and_then(|d| {
            Some(NewDevice {
                device_key: d.device_key()?.to_owned(),
                device_group_key: d.device_group_key()?.to_owned(),
            })
        }),
        device_key: None,
        username: None,
        notices: Vec::new(),
    })
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[allow(dead_code)]
fn _assert_send() {
    fn is_send<T: Send>(_: T) {}
    fn check(flows: &Flows, sign_in: &SignIn) {
        is_send(flows.sign_in(sign_in, &NoHandler));
        is_send(flows.start(sign_in));
    }
    let _ = check;
    let _ = error::classify;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otpauth_label_is_percent_encoded() {
        assert_eq!(percent_encode("alice@example.com"), "alice%40example.com");
        assert_eq!(percent_encode("AWS Cognito"), "AWS%20Cognito");
    }

    #[test]
    fn prompts_parse_challenge_parameters() {
        let mut params = BTreeMap::new();
        params.insert(
            "requiredAttributes".to_owned(),
            r#"["userAttributes.name"]"#.to_owned(),
        );
        params.insert(
            "userAttributes".to_owned(),
            r#"{"email":"a@b.c","email_verified":true}"#.to_owned(),
        );
        let Prompt::NewPassword {
            required_attributes,
            user_attributes,
        } = prompt_for("NEW_PASSWORD_REQUIRED", &params, &[]).unwrap()
        else {
            panic!("wrong prompt")
        };
        assert_eq!(required_attributes, vec!["name"]);
        assert_eq!(user_attributes["email_verified"], "true");

        let mut params = BTreeMap::new();
        params.insert(
            "MFAS_CAN_CHOOSE".to_owned(),
            r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#.to_owned(),
        );
        let Prompt::SelectMfa { options } = prompt_for("SELECT_MFA_TYPE", &params, &[]).unwrap()
        else {
            panic!("wrong prompt")
        };
        assert_eq!(options, vec![MfaKind::Sms, MfaKind::Totp]);
        assert!(matches!(
            prompt_for("SOMETHING_NEW", &BTreeMap::new(), &[]),
            Err(Error::UnsupportedChallenge { .. })
        ));
    }
}
