//! User-pool groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
//! membership (AdminAddUserToGroup, AdminRemoveUserFromGroup,
//! AdminListGroupsForUser, ListUsersInGroup), and the `cognito:groups` claim.

use serde::Deserialize;
use serde_json::{Value, json};

use super::directory::{page_size, paginate};
use super::users::user_to_wire;
use super::{Service, parse};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::model::{Group, Pool};
use crate::store::StoreError;

/// `GroupNameType`: 1 to 128 characters.
const MAX_GROUP_NAME: usize = 128;

/// `PrecedenceType`: 0 to 2^31 - 1.
const MAX_PRECEDENCE: i64 = 2_147_483_647;

/// Cognito's answer for a group that is not there (amplify-cli#2214 capture).
fn group_not_found() -> ApiError {
    ApiError::resource_not_found("Group not found.")
}

/// Orders groups as `cognito:groups` lists them: by Precedence, lowest first,
/// groups without one last, ties by name. The fixed-width number keeps the
/// string order the numeric order.
fn precedence_key(group: &Group) -> String {
    match group.precedence {
        Some(precedence) => format!("0{precedence:010}{}", group.name),
        None => format!("1{}", group.name),
    }
}

fn check_group_name(name: &str) -> ApiResult<()> {
    let valid = !name.is_empty()
        && name.chars().count() <= MAX_GROUP_NAME
        && !name.chars().any(char::is_whitespace);
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(
            "1 validation error detected: Value at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ))
    }
}

fn check_precedence(precedence: Option<i64>) -> ApiResult<()> {
    match precedence {
        Some(p) if p < 0 => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{p}' at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0"
        ))),
        Some(p) if p > MAX_PRECEDENCE => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{p}' at 'precedence' failed to satisfy constraint: Member must have value less than or equal to {MAX_PRECEDENCE}"
        ))),
        _ => Ok(()),
    }
}

/// The members every group operation names.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupTarget {
    user_pool_id: String,
    group_name: String,
}

/// What CreateGroup sets and UpdateGroup may change.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupSettings {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    role_arn: Option<String>,
    #[serde(default)]
    precedence: Option<i64>,
}

/// List paging members (`Limit`, `NextToken`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Paging {
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    next_token: Option<String>,
}

fn page_output(field: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut output = json!({ field: items });
    if let Some(next) = next {
        output["NextToken"] = json!(next);
    }
    output
}

impl Service {
    /// The pool and group an input names.
    fn existing_group(&self, input: &Value) -> ApiResult<(Pool, Group)> {
        let target: GroupTarget = parse(input.clone())?;
        let pool = self.pool(&target.user_pool_id)?;
        let group = self
            .store
            .group(pool.id.as_str(), &target.group_name)?
            .ok_or_else(group_not_found)?;
        Ok((pool, group))
    }

    /// The `cognito:groups` claim of a user: group names in precedence order,
    /// empty when the user is in no group.
    pub(crate) fn token_groups(&self, pool_id: &str, username: &str) -> ApiResult<Vec<String>> {
        let mut groups: Vec<(String, String)> = self
            .store
            .groups_of(pool_id, username)?
            .into_iter()
            .map(|group| (precedence_key(&group), group.name))
            .collect();
        groups.sort();
        Ok(groups.into_iter().map(|(_, name)| name).collect())
    }

    pub(super) fn create_group(&self, input: Value) -> ApiResult<Value> {
        let target: GroupTarget = parse(input.clone())?;
        let input: GroupSettings = parse(input)?;
        check_group_name(&target.group_name)?;
        check_precedence(input.precedence)?;
        let pool = self.pool(&target.user_pool_id)?;
        let now = ids::now();
        let group = Group {
            name: target.group_name,
            pool_id: pool.id.to_string(),
            description: input.description,
            role_arn: input.role_arn,
            precedence: input.precedence,
            created: now,
            last_modified: now,
        };
        match self.store.insert_group(&group) {
            Ok(()) => Ok(json!({ "Group": group.to_wire() })),
            // Cognito's text (amplify-backend#1781).
            Err(StoreError::Exists) => Err(ApiError::new(
                ErrorKind::GroupExists,
                "A group with the name already exists.",
            )),
            Err(other) => Err(other.into()),
        }
    }

    pub(super) fn get_group(&self, input: Value) -> ApiResult<Value> {
        let (_, group) = self.existing_group(&input)?;
        Ok(json!({ "Group": group.to_wire() }))
    }

    pub(super) fn update_group(&self, input: Value) -> ApiResult<Value> {
        let (_, mut group) = self.existing_group(&input)?;
        let input: GroupSettings = parse(input)?;
        check_precedence(input.precedence)?;
        // Members left out keep their values.
        if input.description.is_some() {
            group.description = input.description;
        }
        if input.role_arn.is_some() {
            group.role_arn = input.role_arn;
        }
        if input.precedence.is_some() {
            group.precedence = input.precedence;
        }
        group.last_modified = ids::now();
        self.store.update_group(&group)?;
        Ok(json!({ "Group": group.to_wire() }))
    }

    pub(super) fn delete_group(&self, input: Value) -> ApiResult<Value> {
        let (pool, group) = self.existing_group(&input)?;
        self.store.delete_group(pool.id.as_str(), &group.name)?;
        Ok(json!({}))
    }

    pub(super) fn list_groups(&self, input: Value) -> ApiResult<Value> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input {
            user_pool_id: String,
        }
        let paging: Paging = parse(input.clone())?;
        let input: Input = parse(input)?;
        let size = page_size(paging.limit)?;
        let pool = self.pool(&input.user_pool_id)?;
        let groups = self
            .store
            .groups(pool.id.as_str())?
            .into_iter()
            .map(|group| (group.name.clone(), group.to_wire()))
            .collect();
        let (page, next) = paginate(groups, size, paging.next_token.as_deref())?;
        Ok(page_output("Groups", page, next))
    }

    pub(super) fn admin_add_user_to_group(&self, input: Value) -> ApiResult<Value> {
        let (pool, group) = self.existing_group(&input)?;
        let (_, user) = self.admin_target(input)?;
        self.store
            .add_member(pool.id.as_str(), &group.name, &user.username)?;
        Ok(json!({}))
    }

    pub(super) fn admin_remove_user_from_group(&self, input: Value) -> ApiResult<Value> {
        let (pool, group) = self.existing_group(&input)?;
        let (_, user) = self.admin_target(input)?;
        self.store
            .remove_member(pool.id.as_str(), &group.name, &user.username)?;
        Ok(json!({}))
    }

    pub(super) fn admin_list_groups_for_user(&self, input: Value) -> ApiResult<Value> {
        let paging: Paging = parse(input.clone())?;
        let size = page_size(paging.limit)?;
        let (pool, user) = self.admin_target(input)?;
        let groups = self
            .store
            .groups_of(pool.id.as_str(), &user.username)?
            .into_iter()
            .map(|group| (precedence_key(&group), group.to_wire()))
            .collect();
        let (page, next) = paginate(groups, size, paging.next_token.as_deref())?;
        Ok(page_output("Groups", page, next))
    }

    pub(super) fn list_users_in_group(&self, input: Value) -> ApiResult<Value> {
        let paging: Paging = parse(input.clone())?;
        let size = page_size(paging.limit)?;
        let (pool, group) = self.existing_group(&input)?;
        let users = self
            .store
            .members(pool.id.as_str(), &group.name)?
            .into_iter()
            .map(|user| (user.username.clone(), user_to_wire(&user)))
            .collect();
        let (page, next) = paginate(users, size, paging.next_token.as_deref())?;
        Ok(page_output("Users", page, next))
    }
}
