//! The foundation schema: organisation, accounts and permissions, logs, dictionaries, parameters.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
    ParentId,
    Code,
    Name,
    Level,
    Path,
    Sort,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    ParentId,
    Name,
    Kind,
    RegionId,
    SupervisedCategories,
    IndustryCodes,
    Leader,
    Phone,
    Status,
    Sort,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Enterprises {
    Table,
    Id,
    Name,
    Uscc,
    Address,
    Longitude,
    Latitude,
    IndustryCode,
    SupervisionCategory,
    Scale,
    EmployeeCount,
    PrincipalName,
    PrincipalPhone,
    SafetyManagerName,
    SafetyManagerPhone,
    ContactPhone,
    DepartmentId,
    RegionId,
    Status,
    Remark,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    Nickname,
    PasswordHash,
    Phone,
    Email,
    DepartmentId,
    EnterpriseId,
    RegionId,
    Status,
    MustChangePassword,
    FailedLogins,
    LockedUntil,
    PasswordChangedAt,
    LastLoginAt,
    LastLoginIp,
    Remark,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    RoleKey,
    Name,
    DataScope,
    Status,
    Sort,
    Builtin,
    Remark,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Menus {
    Table,
    Id,
    ParentId,
    Name,
    MenuType,
    Path,
    Component,
    Perms,
    Icon,
    Sort,
}
#[derive(DeriveIden)]
enum RoleMenus {
    Table,
    RoleId,
    MenuId,
}
#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    RoleId,
}
#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    Ip,
    UserAgent,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}
#[derive(DeriveIden)]
enum LoginLogs {
    Table,
    Id,
    Username,
    Ip,
    UserAgent,
    Success,
    Message,
    CreatedAt,
}
#[derive(DeriveIden)]
enum OperLogs {
    Table,
    Id,
    UserId,
    Username,
    Method,
    Path,
    StatusCode,
    Ip,
    Request,
    DurationMs,
    CreatedAt,
}
#[derive(DeriveIden)]
enum DictTypes {
    Table,
    Id,
    DictType,
    Name,
    Status,
    Builtin,
    Remark,
}
#[derive(DeriveIden)]
enum DictData {
    Table,
    Id,
    DictType,
    Label,
    Value,
    Sort,
    Status,
    Remark,
}
#[derive(DeriveIden)]
enum Params {
    Table,
    Id,
    ParamKey,
    Name,
    Value,
    Builtin,
    Remark,
}

fn ts<T: IntoIden>(c: T) -> ColumnDef {
    timestamp_with_time_zone(c)
}
fn ts_null<T: IntoIden>(c: T) -> ColumnDef {
    timestamp_with_time_zone_null(c)
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every backend (SQLite has transactional DDL too), so a start that is
    /// interrupted half-way leaves no partial schema behind.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Regions::Table)
                .col(big_pk_auto(Regions::Id))
                .col(big_integer_null(Regions::ParentId))
                .col(string_len_uniq(Regions::Code, 32))
                .col(string_len(Regions::Name, 100))
                .col(string_len(Regions::Level, 16))
                .col(string_len(Regions::Path, 255))
                .col(integer(Regions::Sort).default(0))
                .col(ts(Regions::CreatedAt))
                .col(ts(Regions::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_regions_parent",
                    (Regions::Table, Regions::ParentId),
                    (Regions::Table, Regions::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_regions_path")
                .table(Regions::Table)
                .col(Regions::Path)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_regions_parent")
                .table(Regions::Table)
                .col(Regions::ParentId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Departments::Table)
                .col(big_pk_auto(Departments::Id))
                .col(big_integer_null(Departments::ParentId))
                .col(string_len_uniq(Departments::Name, 100))
                .col(string_len(Departments::Kind, 32))
                .col(big_integer_null(Departments::RegionId))
                .col(text(Departments::SupervisedCategories))
                .col(text(Departments::IndustryCodes))
                .col(string_len_null(Departments::Leader, 50))
                .col(string_len_null(Departments::Phone, 30))
                .col(string_len(Departments::Status, 16))
                .col(integer(Departments::Sort).default(0))
                .col(ts(Departments::CreatedAt))
                .col(ts(Departments::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_departments_parent",
                    (Departments::Table, Departments::ParentId),
                    (Departments::Table, Departments::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_departments_region",
                    (Departments::Table, Departments::RegionId),
                    (Regions::Table, Regions::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Enterprises::Table)
                .col(big_pk_auto(Enterprises::Id))
                .col(string_len(Enterprises::Name, 200))
                .col(string_len_uniq(Enterprises::Uscc, 18))
                .col(string_len(Enterprises::Address, 300))
                .col(double_null(Enterprises::Longitude))
                .col(double_null(Enterprises::Latitude))
                .col(string_len(Enterprises::IndustryCode, 8))
                .col(string_len(Enterprises::SupervisionCategory, 32))
                .col(string_len(Enterprises::Scale, 16))
                .col(integer(Enterprises::EmployeeCount))
                .col(string_len(Enterprises::PrincipalName, 50))
                .col(string_len_null(Enterprises::PrincipalPhone, 30))
                .col(string_len_null(Enterprises::SafetyManagerName, 50))
                .col(string_len_null(Enterprises::SafetyManagerPhone, 30))
                .col(string_len_null(Enterprises::ContactPhone, 30))
                .col(big_integer_null(Enterprises::DepartmentId))
                .col(big_integer(Enterprises::RegionId))
                .col(string_len(Enterprises::Status, 16))
                .col(string_len_null(Enterprises::Remark, 500))
                .col(big_integer_null(Enterprises::CreatedBy))
                .col(ts(Enterprises::CreatedAt))
                .col(ts(Enterprises::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_enterprises_department",
                    (Enterprises::Table, Enterprises::DepartmentId),
                    (Departments::Table, Departments::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_enterprises_region",
                    (Enterprises::Table, Enterprises::RegionId),
                    (Regions::Table, Regions::Id),
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_enterprises_region", Enterprises::RegionId),
            ("idx_enterprises_department", Enterprises::DepartmentId),
            ("idx_enterprises_category", Enterprises::SupervisionCategory),
            ("idx_enterprises_name", Enterprises::Name),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Enterprises::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(big_pk_auto(Users::Id))
                .col(string_len_uniq(Users::Username, 64))
                .col(string_len(Users::Nickname, 64))
                .col(string_len(Users::PasswordHash, 255))
                .col(string_len_null(Users::Phone, 30))
                .col(string_len_null(Users::Email, 100))
                .col(big_integer_null(Users::DepartmentId))
                .col(big_integer_null(Users::EnterpriseId))
                .col(big_integer_null(Users::RegionId))
                .col(string_len(Users::Status, 16))
                .col(boolean(Users::MustChangePassword))
                .col(integer(Users::FailedLogins).default(0))
                .col(ts_null(Users::LockedUntil))
                .col(ts_null(Users::PasswordChangedAt))
                .col(ts_null(Users::LastLoginAt))
                .col(string_len_null(Users::LastLoginIp, 64))
                .col(string_len_null(Users::Remark, 500))
                .col(ts(Users::CreatedAt))
                .col(ts(Users::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_users_department",
                    (Users::Table, Users::DepartmentId),
                    (Departments::Table, Departments::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_users_enterprise",
                    (Users::Table, Users::EnterpriseId),
                    (Enterprises::Table, Enterprises::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_users_region",
                    (Users::Table, Users::RegionId),
                    (Regions::Table, Regions::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Roles::Table)
                .col(big_pk_auto(Roles::Id))
                .col(string_len_uniq(Roles::RoleKey, 64))
                .col(string_len(Roles::Name, 64))
                .col(string_len(Roles::DataScope, 32))
                .col(string_len(Roles::Status, 16))
                .col(integer(Roles::Sort).default(0))
                .col(boolean(Roles::Builtin))
                .col(string_len_null(Roles::Remark, 500))
                .col(ts(Roles::CreatedAt))
                .col(ts(Roles::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Menus::Table)
                .col(big_integer(Menus::Id).primary_key())
                .col(big_integer(Menus::ParentId))
                .col(string_len(Menus::Name, 64))
                .col(string_len(Menus::MenuType, 1))
                .col(string_len_null(Menus::Path, 200))
                .col(string_len_null(Menus::Component, 200))
                .col(string_len_null(Menus::Perms, 100))
                .col(string_len_null(Menus::Icon, 64))
                .col(integer(Menus::Sort).default(0))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RoleMenus::Table)
                .col(big_integer(RoleMenus::RoleId))
                .col(big_integer(RoleMenus::MenuId))
                .primary_key(
                    Index::create()
                        .col(RoleMenus::RoleId)
                        .col(RoleMenus::MenuId),
                )
                .foreign_key(
                    &mut fk(
                        "fk_role_menus_role",
                        (RoleMenus::Table, RoleMenus::RoleId),
                        (Roles::Table, Roles::Id),
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
                )
                .foreign_key(
                    &mut fk(
                        "fk_role_menus_menu",
                        (RoleMenus::Table, RoleMenus::MenuId),
                        (Menus::Table, Menus::Id),
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UserRoles::Table)
                .col(big_integer(UserRoles::UserId))
                .col(big_integer(UserRoles::RoleId))
                .primary_key(
                    Index::create()
                        .col(UserRoles::UserId)
                        .col(UserRoles::RoleId),
                )
                .foreign_key(
                    &mut fk(
                        "fk_user_roles_user",
                        (UserRoles::Table, UserRoles::UserId),
                        (Users::Table, Users::Id),
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
                )
                .foreign_key(
                    &mut fk(
                        "fk_user_roles_role",
                        (UserRoles::Table, UserRoles::RoleId),
                        (Roles::Table, Roles::Id),
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(big_pk_auto(Sessions::Id))
                .col(string_len_uniq(Sessions::TokenHash, 64))
                .col(big_integer(Sessions::UserId))
                .col(string_len_null(Sessions::Ip, 64))
                .col(string_len_null(Sessions::UserAgent, 300))
                .col(ts(Sessions::CreatedAt))
                .col(ts(Sessions::LastSeenAt))
                .col(ts(Sessions::ExpiresAt))
                .foreign_key(
                    &mut fk(
                        "fk_sessions_user",
                        (Sessions::Table, Sessions::UserId),
                        (Users::Table, Users::Id),
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginLogs::Table)
                .col(big_pk_auto(LoginLogs::Id))
                .col(string_len(LoginLogs::Username, 64))
                .col(string_len_null(LoginLogs::Ip, 64))
                .col(string_len_null(LoginLogs::UserAgent, 300))
                .col(boolean(LoginLogs::Success))
                .col(string_len(LoginLogs::Message, 255))
                .col(ts(LoginLogs::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_logs_created")
                .table(LoginLogs::Table)
                .col(LoginLogs::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(OperLogs::Table)
                .col(big_pk_auto(OperLogs::Id))
                .col(big_integer_null(OperLogs::UserId))
                .col(string_len_null(OperLogs::Username, 64))
                .col(string_len(OperLogs::Method, 10))
                .col(string_len(OperLogs::Path, 300))
                .col(integer(OperLogs::StatusCode))
                .col(string_len_null(OperLogs::Ip, 64))
                .col(text_null(OperLogs::Request))
                .col(big_integer(OperLogs::DurationMs))
                .col(ts(OperLogs::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_oper_logs_created")
                .table(OperLogs::Table)
                .col(OperLogs::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DictTypes::Table)
                .col(big_pk_auto(DictTypes::Id))
                .col(string_len_uniq(DictTypes::DictType, 64))
                .col(string_len(DictTypes::Name, 100))
                .col(string_len(DictTypes::Status, 16))
                .col(boolean(DictTypes::Builtin))
                .col(string_len_null(DictTypes::Remark, 500))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DictData::Table)
                .col(big_pk_auto(DictData::Id))
                .col(string_len(DictData::DictType, 64))
                .col(string_len(DictData::Label, 100))
                .col(string_len(DictData::Value, 100))
                .col(integer(DictData::Sort).default(0))
                .col(string_len(DictData::Status, 16))
                .col(string_len_null(DictData::Remark, 500))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_dict_data_type_value")
                .table(DictData::Table)
                .col(DictData::DictType)
                .col(DictData::Value)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Params::Table)
                .col(big_pk_auto(Params::Id))
                .col(string_len_uniq(Params::ParamKey, 100))
                .col(string_len(Params::Name, 100))
                .col(string_len(Params::Value, 500))
                .col(boolean(Params::Builtin))
                .col(string_len_null(Params::Remark, 500))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Params::Table.into_iden(),
            DictData::Table.into_iden(),
            DictTypes::Table.into_iden(),
            OperLogs::Table.into_iden(),
            LoginLogs::Table.into_iden(),
            Sessions::Table.into_iden(),
            UserRoles::Table.into_iden(),
            RoleMenus::Table.into_iden(),
            Menus::Table.into_iden(),
            Roles::Table.into_iden(),
            Users::Table.into_iden(),
            Enterprises::Table.into_iden(),
            Departments::Table.into_iden(),
            Regions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
