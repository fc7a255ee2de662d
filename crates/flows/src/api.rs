//! The raw layer: InitiateAuth and RespondToAuthChallenge for one app client, as
//! given, plus SECRET_HASH and the metadata. No pool id: this is all a caller needs
//! to drive Cognito's sign-in calls by hand, and what [`crate::Flows`] itself sends.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use cognito_auth_srp::{AppClient, Parameters};
use secrecy::SecretString;

use crate::{Error, Metadata, Reply};

/// Attaches ClientMetadata, AnalyticsMetadata and UserContextData to either sign-in
/// request and sends it. (The SDK's two fluent builders share no trait.)
macro_rules! send_with_metadata {
    ($request:expr, $metadata:expr) => {
        $request
            .set_client_metadata($metadata.client_metadata_map())
            .set_analytics_metadata($metadata.analytics_metadata())
            .set_user_context_data($metadata.user_context_data())
            .send()
            .await
            .map_err(Error::from_sdk)
    };
}
pub(crate) use send_with_metadata;

/// Cognito's two sign-in calls, InitiateAuth and RespondToAuthChallenge, for one app
/// client: the SDK client, the client id, the client secret if the app client has
/// one, and the [`Metadata`] sent on every call.
///
/// Each call adds `SECRET_HASH` (when a secret is set and the map has none) over the
/// map's `USERNAME`, and attaches ClientMetadata, AnalyticsMetadata and
/// UserContextData. Nothing else is added or checked: the flow, the parameters and
/// the challenge go to Cognito as given. Cheap to clone.
///
/// ```no_run
/// use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
/// use cognito_auth_flows::AuthApi;
///
/// # async fn run(client: aws_sdk_cognitoidentityprovider::Client) -> Result<(), cognito_auth_flows::Error> {
/// let api = AuthApi::new(client, "3n4b5urk1ft4fl3mg5e62d9ado");
/// let reply = api
///     .initiate_auth(
///         AuthFlowType::UserPasswordAuth,
///         [
///             ("USERNAME".to_owned(), "alice".to_owned()),
///             ("PASSWORD".to_owned(), "correct horse".to_owned()),
///         ],
///         None,
///     )
///     .await?;
/// println!("{}", reply.to_aws_cli_json());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AuthApi {
    client: Client,
    app: AppClient,
    client_secret: Option<SecretString>,
    metadata: Metadata,
}

impl std::fmt::Debug for AuthApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthApi")
            .field("client_id", &self.app.id())
            .field("has_client_secret", &self.client_secret.is_some())
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl AuthApi {
    /// The calls of app client `client_id` (without a secret), over `client`.
    pub fn new(client: Client, client_id: impl Into<String>) -> Self {
        Self {
            client,
            app: AppClient::new(client_id),
            client_secret: None,
            metadata: Metadata::default(),
        }
    }

    /// The app client's secret: SECRET_HASH goes on every call that names a
    /// USERNAME.
    pub fn with_client_secret(mut self, secret: SecretString) -> Self {
        self.app = AppClient::with_secret(self.app.id().to_owned(), secret.clone());
        self.client_secret = Some(secret);
        self
    }

    /// The metadata attached to every call (default: none).
    pub fn with_metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        self.app.id()
    }

    /// The metadata attached to every call.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Whether a client secret is set.
    pub fn has_client_secret(&self) -> bool {
        self.client_secret.is_some()
    }

    /// SECRET_HASH for `username`, or `None` without a client secret.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.app.secret_hash(username)
    }

    /// Adds `SECRET_HASH` over the map's `USERNAME`, when a client secret is set, the
    /// map names a USERNAME and has no SECRET_HASH yet (one given is kept as is).
    ///
    /// That is the name Cognito expects at each step: the name as typed at
    /// InitiateAuth, the challenge's USERNAME in RespondToAuthChallenge. A refresh
    /// (REFRESH_TOKEN_AUTH) has no USERNAME: give SECRET_HASH over the internal
    /// username yourself ([`Self::secret_hash`]).
    pub fn add_secret_hash(&self, parameters: &mut BTreeMap<String, String>) {
        if parameters.contains_key("SECRET_HASH") {
            return;
        }
        if let Some(hash) = parameters
            .get("USERNAME")
            .and_then(|username| self.app.secret_hash(username))
        {
            parameters.insert("SECRET_HASH".into(), hash);
        }
    }

    /// InitiateAuth with any `flow` and AuthParameters, plus SECRET_HASH
    /// ([`Self::add_secret_hash`]) and the metadata. `session` is for USER_AUTH
    /// after ConfirmSignUp.
    pub async fn initiate_auth(
        &self,
        flow: AuthFlowType,
        parameters: impl IntoIterator<Item = (String, String)>,
        session: Option<&str>,
    ) -> Result<Reply, Error> {
        let parameters = parameters.into_iter().collect();
        self.initiate_with(flow, parameters, session, &self.metadata)
            .await
    }

    /// RespondToAuthChallenge with `challenge`'s ChallengeResponses and the Session
    /// of the reply that asked it, plus SECRET_HASH ([`Self::add_secret_hash`]) and
    /// the metadata.
    pub async fn respond_to_auth_challenge(
        &self,
        challenge: ChallengeNameType,
        responses: impl IntoIterator<Item = (String, String)>,
        session: Option<&str>,
    ) -> Result<Reply, Error> {
        let responses = responses.into_iter().collect();
        self.respond_with(challenge, responses, session, &self.metadata)
            .await
    }

    pub(crate) fn app(&self) -> &AppClient {
        &self.app
    }

    pub(crate) fn client_secret(&self) -> Option<&SecretString> {
        self.client_secret.as_ref()
    }

    /// [`Self::initiate_auth`] with this sign-in's metadata.
    pub(crate) async fn initiate_with(
        &self,
        flow: AuthFlowType,
        mut parameters: Parameters,
        session: Option<&str>,
        metadata: &Metadata,
    ) -> Result<Reply, Error> {
        self.add_secret_hash(&mut parameters);
        let out = self
            .send_initiate(flow, parameters.into_iter().collect(), session, metadata)
            .await?;
        Ok(out.into())
    }

    /// [`Self::respond_to_auth_challenge`] with this sign-in's metadata.
    pub(crate) async fn respond_with(
        &self,
        challenge: ChallengeNameType,
        mut responses: Parameters,
        session: Option<&str>,
        metadata: &Metadata,
    ) -> Result<Reply, Error> {
        self.add_secret_hash(&mut responses);
        let out = self
            .send_respond(
                challenge,
                responses.into_iter().collect(),
                session,
                metadata,
            )
            .await?;
        Ok(out.into())
    }

    /// The one InitiateAuth request builder: exactly what it is given, plus metadata.
    pub(crate) async fn send_initiate(
        &self,
        flow: AuthFlowType,
        parameters: HashMap<String, String>,
        session: Option<&str>,
        metadata: &Metadata,
    ) -> Result<InitiateAuthOutput, Error> {
        let request = self
            .client
            .initiate_auth()
            .client_id(self.app.id())
            .auth_flow(flow)
            .set_auth_parameters(Some(parameters))
            .set_session(session.map(str::to_owned));
        send_with_metadata!(request, metadata)
    }

    /// The one RespondToAuthChallenge request builder: exactly what it is given,
    /// plus metadata.
    pub(crate) async fn send_respond(
        &self,
        challenge: ChallengeNameType,
        responses: HashMap<String, String>,
        session: Option<&str>,
        metadata: &Metadata,
    ) -> Result<RespondToAuthChallengeOutput, Error> {
        let request = self
            .client
            .respond_to_auth_challenge()
            .client_id(self.app.id())
            .challenge_name(challenge)
            .set_session(session.map(str::to_owned))
            .set_challenge_responses(Some(responses));
        send_with_metadata!(request, metadata)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use aws_sdk_cognitoidentityprovider::config::interceptors::BeforeTransmitInterceptorContextRef;
    use aws_sdk_cognitoidentityprovider::config::{
        BehaviorVersion, ConfigBag, Intercept, Region, RuntimeComponents,
    };
    use aws_sdk_cognitoidentityprovider::error::BoxError;
    use cognito_auth_srp::secret_hash;
    use serde_json::{Value, json};

    use super::*;
    use crate::UserContext;

    /// Keeps each request body and stops the request before it leaves.
    #[derive(Clone, Debug, Default)]
    struct Capture(Arc<Mutex<Vec<Value>>>);

    impl Intercept for Capture {
        fn name(&self) -> &'static str {
            "Capture"
        }

        fn read_before_transmit(
            &self,
            context: &BeforeTransmitInterceptorContextRef<'_>,
            _runtime_components: &RuntimeComponents,
            _cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            let body = context.request().body().bytes().unwrap_or_default();
            let value = serde_json::from_slice(body)?;
            self.0.lock().map_err(|_| "poisoned")?.push(value);
            Err("captured, not sent".into())
        }
    }

    impl Capture {
        fn last(&self) -> Value {
            self.0.lock().unwrap().last().cloned().unwrap()
        }
    }

    fn api(capture: &Capture) -> AuthApi {
        let config = aws_sdk_cognitoidentityprovider::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .endpoint_url("http://127.0.0.1:9")
            .interceptor(capture.clone())
            .build();
        AuthApi::new(Client::from_conf(config), "client-1")
    }

    fn metadata() -> Metadata {
        Metadata {
            analytics_endpoint_id: Some("endpoint-7".into()),
            user_context: Some(UserContext {
                ip_address: Some("192.0.2.1".into()),
                encoded_data: Some("fingerprint".into()),
            }),
            ..Metadata::default()
        }
        .with_client_metadata("tenant", "blue")
    }

    fn pairs(entries: &[(&str, &str)]) -> Vec<(String, String)> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[tokio::test]
    async fn initiate_auth_hashes_the_username_and_attaches_metadata() {
        let capture = Capture::default();
        let api = api(&capture)
            .with_client_secret(SecretString::from("s3cret"))
            .with_metadata(metadata());
        let sent = api
            .initiate_auth(
                AuthFlowType::UserPasswordAuth,
                pairs(&[("USERNAME", "alice@example.com"), ("PASSWORD", "pw")]),
                Some("sign-up-session"),
            )
            .await;
        assert!(sent.is_err(), "the capture stops every request");
        let body = capture.last();
        assert_eq!(body["AuthFlow"], "USER_PASSWORD_AUTH");
        assert_eq!(body["ClientId"], "client-1");
        assert_eq!(body["Session"], "sign-up-session");
        assert_eq!(
            body["AuthParameters"],
            json!({
                "USERNAME": "alice@example.com",
                "PASSWORD": "pw",
                "SECRET_HASH": secret_hash("alice@example.com", "client-1", "s3cret"),
            })
        );
        assert_eq!(body["ClientMetadata"], json!({"tenant": "blue"}));
        assert_eq!(
            body["AnalyticsMetadata"],
            json!({"AnalyticsEndpointId": "endpoint-7"})
        );
        assert_eq!(
            body["UserContextData"],
            json!({"IpAddress": "192.0.2.1", "EncodedData": "fingerprint"})
        );
    }

    #[tokio::test]
    async fn respond_hashes_the_challenge_username_and_keeps_a_given_hash() {
        let capture = Capture::default();
        let api = api(&capture).with_client_secret(SecretString::from("s3cret"));
        let internal = "7c1e0f4a-5b6d-4e3f-9a8b-0c1d2e3f4a5b";
        let _ = api
            .respond_to_auth_challenge(
                ChallengeNameType::SmsMfa,
                pairs(&[("USERNAME", internal), ("SMS_MFA_CODE", "123456")]),
                Some("session-2"),
            )
            .await;
        let body = capture.last();
        assert_eq!(body["ChallengeName"], "SMS_MFA");
        assert_eq!(body["Session"], "session-2");
        assert_eq!(
            body["ChallengeResponses"]["SECRET_HASH"],
            secret_hash(internal, "client-1", "s3cret")
        );
        assert!(body.get("ClientMetadata").is_none(), "{body}");
        assert!(body.get("AnalyticsMetadata").is_none(), "{body}");

        let _ = api
            .respond_to_auth_challenge(
                ChallengeNameType::SmsMfa,
                pairs(&[("USERNAME", internal), ("SECRET_HASH", "given")]),
                None,
            )
            .await;
        assert_eq!(capture.last()["ChallengeResponses"]["SECRET_HASH"], "given");
    }

    #[test]
    fn add_secret_hash_needs_a_secret_and_a_username() {
        let capture = Capture::default();
        let public = api(&capture);
        let mut parameters = Parameters::from([("USERNAME".into(), "alice".into())]);
        public.add_secret_hash(&mut parameters);
        assert_eq!(parameters.get("SECRET_HASH"), None);
        assert_eq!(public.secret_hash("alice"), None);

        let confidential = public.with_client_secret(SecretString::from("s3cret"));
        confidential.add_secret_hash(&mut parameters);
        assert_eq!(
            parameters.get("SECRET_HASH"),
            Some(&secret_hash("alice", "client-1", "s3cret"))
        );

        let mut refresh = Parameters::from([("REFRESH_TOKEN".into(), "r".into())]);
        confidential.add_secret_hash(&mut refresh);
        assert_eq!(refresh.len(), 1, "no USERNAME, so no hash over a guess");
    }

    #[test]
    fn debug_hides_the_client_secret() {
        let capture = Capture::default();
        let api = api(&capture).with_client_secret(SecretString::from("s3cret-value"));
        let shown = format!("{api:?}");
        assert!(shown.contains("client-1"), "{shown}");
        assert!(!shown.contains("s3cret-value"), "{shown}");
    }
}
