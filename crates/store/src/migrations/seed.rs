//! Seeding helpers for the migrations from m0005 on: parameters, dictionaries, menus and their
//! grants to the built-in roles. (m0001–m0004 keep their own code: a shipped migration is not
//! edited.)

use sea_orm_migration::prelude::*;
use std::collections::BTreeSet;

/// A menu row: (id, parent, name, type, path, component, perms, icon, sort).
pub(crate) type MenuRow = (
    i64,
    i64,
    String,
    &'static str,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i32,
);

fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// Built-in system parameters: (key, name, value, remark).
pub(crate) async fn params(
    m: &SchemaManager<'_>,
    rows: &[(&str, &str, &str, &str)],
) -> Result<(), DbErr> {
    for (key, name, value, remark) in rows {
        m.exec_stmt(
            Query::insert()
                .into_table(a("params"))
                .columns([
                    a("param_key"),
                    a("name"),
                    a("value"),
                    a("builtin"),
                    a("remark"),
                ])
                .values_panic([
                    (*key).into(),
                    (*name).into(),
                    (*value).into(),
                    true.into(),
                    (*remark).into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// A built-in dictionary type and its entries (value, label, remark), sorted as given.
pub(crate) async fn dictionary(
    m: &SchemaManager<'_>,
    dict_type: &str,
    name: &str,
    entries: &[(&str, &str, Option<&str>)],
) -> Result<(), DbErr> {
    m.exec_stmt(
        Query::insert()
            .into_table(a("dict_types"))
            .columns([a("dict_type"), a("name"), a("status"), a("builtin")])
            .values_panic([dict_type.into(), name.into(), "active".into(), true.into()])
            .to_owned(),
    )
    .await?;
    for (i, (value, label, remark)) in entries.iter().enumerate() {
        m.exec_stmt(
            Query::insert()
                .into_table(a("dict_data"))
                .columns([
                    a("dict_type"),
                    a("label"),
                    a("value"),
                    a("sort"),
                    a("status"),
                    a("remark"),
                ])
                .values_panic([
                    dict_type.into(),
                    (*label).into(),
                    (*value).into(),
                    (i as i32 + 1).into(),
                    "active".into(),
                    remark.map(str::to_owned).into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// Inserts menu rows.
pub(crate) async fn menus(m: &SchemaManager<'_>, rows: &[MenuRow]) -> Result<(), DbErr> {
    for (id, parent, name, kind, path, component, perms, icon, sort) in rows {
        m.exec_stmt(
            Query::insert()
                .into_table(a("menus"))
                .columns([
                    a("id"),
                    a("parent_id"),
                    a("name"),
                    a("menu_type"),
                    a("path"),
                    a("component"),
                    a("perms"),
                    a("icon"),
                    a("sort"),
                ])
                .values_panic([
                    (*id).into(),
                    (*parent).into(),
                    name.clone().into(),
                    (*kind).into(),
                    path.clone().into(),
                    component.clone().into(),
                    perms.clone().into(),
                    icon.clone().into(),
                    (*sort).into(),
                ])
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// Whether a grant pattern covers a menu's permission: equal, or a prefix up to a `:`.
pub(crate) fn covers(patterns: &[&str], perms: Option<&str>) -> bool {
    patterns
        .iter()
        .any(|p| perms.is_some_and(|perm| perm == *p || perm.starts_with(&format!("{p}:"))))
}

/// Grants the menus of `rows` whose permission a role's patterns cover to that built-in role; a
/// granted button implies its page and `directory`. Rows another migration granted already are
/// kept (ON CONFLICT DO NOTHING). A built-in role an operator renamed or removed gets nothing.
pub(crate) async fn grant(
    m: &SchemaManager<'_>,
    grants: &[(&str, &[&str])],
    rows: &[MenuRow],
    directory: i64,
) -> Result<(), DbErr> {
    let db = m.get_connection();
    for (key, patterns) in grants {
        let row = db
            .query_one(
                &Query::select()
                    .column(a("id"))
                    .from(a("roles"))
                    .and_where(Expr::col(a("role_key")).eq(*key))
                    .to_owned(),
            )
            .await?;
        let Some(role_id) = row.map(|r| r.try_get::<i64>("", "id")).transpose()? else {
            continue;
        };
        let mut granted = BTreeSet::new();
        for (id, parent, .., perms, _, _) in rows {
            if covers(patterns, perms.as_deref()) {
                granted.insert(*id);
                granted.insert(*parent);
                granted.insert(directory);
            }
        }
        for menu_id in granted {
            m.exec_stmt(
                Query::insert()
                    .into_table(a("role_menus"))
                    .columns([a("role_id"), a("menu_id")])
                    .values_panic([role_id.into(), menu_id.into()])
                    .on_conflict(
                        OnConflict::columns([a("role_id"), a("menu_id")])
                            .do_nothing()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        }
    }
    Ok(())
}
