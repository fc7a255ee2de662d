//! USER_AUTH (choice-based sign-in) and CUSTOM_AUTH with the built-in trigger set.

use serde_json::Value;

use super::Service;
use super::auth::Parameters;
use crate::error::{ApiError, ApiResult};
use crate::model::{AppClient, Pool};

impl Service {
    pub(super) fn start_user_auth(
        &self,
        _pool: Pool,
        _client: AppClient,
        _params: &Parameters,
        _admin: bool,
    ) -> ApiResult<Value> {
        Err(ApiError::invalid_parameter(
            "Unsupported AuthFlow: USER_AUTH",
        ))
    }

    pub(super) fn answer_select_challenge(
        &self,
        _client: AppClient,
        _token: Option<&str>,
        _responses: &Parameters,
    ) -> ApiResult<Value> {
        Err(ApiError::invalid_session())
    }

    pub(super) fn start_custom_auth(
        &self,
        _pool: Pool,
        _client: AppClient,
        _params: &Parameters,
        _admin: bool,
    ) -> ApiResult<Value> {
        Err(ApiError::new(
            crate::error::ErrorKind::InvalidLambdaResponse,
            "No Lambda trigger configured for DefineAuthChallenge.",
        ))
    }

    pub(super) fn answer_custom_challenge(
        &self,
        _client: AppClient,
        _token: Option<&str>,
        _responses: &Parameters,
    ) -> ApiResult<Value> {
        Err(ApiError::invalid_session())
    }
}
