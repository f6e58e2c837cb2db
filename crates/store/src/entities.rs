//! SeaORM entities, one module per table. Private to the store: other crates see the plain row
//! types re-exported from [`crate`] and the repository methods on [`crate::Store`].

pub mod region {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// A region: district (区县), street (街道) or grid (网格). `path` is the materialised path of
    /// ids from the root, e.g. `/1/4/9/`, so a subtree is a prefix match.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "regions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parent_id: Option<i64>,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        pub level: String,
        pub path: String,
        pub sort: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod department {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// A supervising department. `supervised_categories` and `industry_codes` are JSON arrays of codes.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "departments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parent_id: Option<i64>,
        #[sea_orm(unique)]
        pub name: String,
        pub kind: String,
        pub region_id: Option<i64>,
        pub supervised_categories: String,
        pub industry_codes: String,
        pub leader: Option<String>,
        pub phone: Option<String>,
        pub status: String,
        pub sort: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod enterprise {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// An enterprise (生产经营单位), identified by its USCC.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "enterprises")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        #[sea_orm(unique)]
        pub uscc: String,
        pub address: String,
        pub longitude: Option<f64>,
        pub latitude: Option<f64>,
        pub industry_code: String,
        pub supervision_category: String,
        pub scale: String,
        pub employee_count: i32,
        pub principal_name: String,
        pub principal_phone: Option<String>,
        pub safety_manager_name: Option<String>,
        pub safety_manager_phone: Option<String>,
        pub contact_phone: Option<String>,
        pub department_id: Option<i64>,
        pub region_id: i64,
        pub status: String,
        pub remark: Option<String>,
        pub created_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user {
    use sea_orm::entity::prelude::*;

    /// An account. Belongs to a department or to an enterprise (or neither, for the built-in admin).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub username: String,
        pub nickname: String,
        pub password_hash: String,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub department_id: Option<i64>,
        pub enterprise_id: Option<i64>,
        pub region_id: Option<i64>,
        pub status: String,
        pub must_change_password: bool,
        pub failed_logins: i32,
        pub locked_until: Option<DateTimeUtc>,
        pub password_changed_at: Option<DateTimeUtc>,
        pub last_login_at: Option<DateTimeUtc>,
        pub last_login_ip: Option<String>,
        pub remark: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod role {
    use sea_orm::entity::prelude::*;

    /// A role: a set of menus/buttons (and so permission strings) and a data scope.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "roles")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub role_key: String,
        pub name: String,
        pub data_scope: String,
        pub status: String,
        pub sort: i32,
        pub builtin: bool,
        pub remark: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod menu {
    use sea_orm::entity::prelude::*;

    /// A console menu entry: `M` directory, `C` page, `F` button. `perms` is its permission string.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "menus")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub parent_id: i64,
        pub name: String,
        pub menu_type: String,
        pub path: Option<String>,
        pub component: Option<String>,
        pub perms: Option<String>,
        pub icon: Option<String>,
        pub sort: i32,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod role_menu {
    use sea_orm::entity::prelude::*;

    /// Which menus a role has.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "role_menus")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub role_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub menu_id: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user_role {
    use sea_orm::entity::prelude::*;

    /// Which roles a user has.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_roles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub role_id: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod session {
    use sea_orm::entity::prelude::*;

    /// A login session. Only the SHA-256 of the opaque token is stored.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub user_id: i64,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
        pub created_at: DateTimeUtc,
        pub last_seen_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod login_log {
    use sea_orm::entity::prelude::*;

    /// One login attempt.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_logs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub username: String,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
        pub success: bool,
        pub message: String,
        pub created_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod oper_log {
    use sea_orm::entity::prelude::*;

    /// One state-changing API call (operation log), with secrets masked.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "oper_logs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: Option<i64>,
        pub username: Option<String>,
        pub method: String,
        pub path: String,
        pub status_code: i32,
        pub ip: Option<String>,
        pub request: Option<String>,
        pub duration_ms: i64,
        pub created_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dict_type {
    use sea_orm::entity::prelude::*;

    /// A dictionary (code table), e.g. `supervision_category`.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "dict_types")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub dict_type: String,
        pub name: String,
        pub status: String,
        pub builtin: bool,
        pub remark: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dict_data {
    use sea_orm::entity::prelude::*;

    /// One entry of a dictionary.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "dict_data")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub dict_type: String,
        pub label: String,
        pub value: String,
        pub sort: i32,
        pub status: String,
        pub remark: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod param {
    use sea_orm::entity::prelude::*;

    /// A system parameter (参数设置).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "params")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub param_key: String,
        pub name: String,
        pub value: String,
        pub builtin: bool,
        pub remark: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
