//! Dictionaries (code tables) and system parameters.

use crate::entities::{dict_data, dict_type, param};
use crate::{Result, Store, StoreError, unique_as_field};
use anjian_domain::ValidationError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

/// A dictionary type as created or updated.
#[derive(Debug, Clone)]
pub struct DictTypeInput {
    /// Unique key, e.g. `supervision_category`.
    pub dict_type: String,
    /// Display name.
    pub name: String,
    /// `active` or `disabled`.
    pub status: String,
    /// Remark.
    pub remark: Option<String>,
}

/// A dictionary entry as created or updated.
#[derive(Debug, Clone)]
pub struct DictDataInput {
    /// Dictionary it belongs to.
    pub dict_type: String,
    /// Label shown.
    pub label: String,
    /// Stored value.
    pub value: String,
    /// Order.
    pub sort: i32,
    /// `active` or `disabled`.
    pub status: String,
    /// Remark.
    pub remark: Option<String>,
}

/// A system parameter as created or updated.
#[derive(Debug, Clone)]
pub struct ParamInput {
    /// Unique key.
    pub param_key: String,
    /// Display name.
    pub name: String,
    /// Value.
    pub value: String,
    /// Remark.
    pub remark: Option<String>,
}

impl Store {
    /// Every dictionary type.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_dict_types(&self) -> Result<Vec<dict_type::Model>> {
        Ok(dict_type::Entity::find()
            .order_by_asc(dict_type::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// One dictionary type.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_dict_type(&self, id: i64) -> Result<dict_type::Model> {
        dict_type::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Creates a dictionary type.
    ///
    /// # Errors
    /// A field error on `dictType` (duplicate).
    pub async fn create_dict_type(&self, i: DictTypeInput) -> Result<dict_type::Model> {
        dict_type::ActiveModel {
            dict_type: Set(i.dict_type),
            name: Set(i.name),
            status: Set(i.status),
            builtin: Set(false),
            remark: Set(i.remark),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| unique_as_field(e, "dictType", "a dictionary with this key already exists"))
    }

    /// Updates a dictionary type. The key of a built-in dictionary cannot change (code uses it).
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors on `dictType`.
    pub async fn update_dict_type(&self, id: i64, i: DictTypeInput) -> Result<dict_type::Model> {
        let current = self.get_dict_type(id).await?;
        if current.builtin && current.dict_type != i.dict_type {
            return Err(ValidationError::field(
                "dictType",
                "the key of a built-in dictionary cannot change",
            )
            .into());
        }
        let old_key = current.dict_type.clone();
        let txn = self.db.begin().await?;
        let mut a: dict_type::ActiveModel = current.into();
        a.dict_type = Set(i.dict_type.clone());
        a.name = Set(i.name);
        a.status = Set(i.status);
        a.remark = Set(i.remark);
        let row = a.update(&txn).await.map_err(|e| {
            unique_as_field(e, "dictType", "a dictionary with this key already exists")
        })?;
        if old_key != i.dict_type {
            dict_data::Entity::update_many()
                .col_expr(
                    dict_data::Column::DictType,
                    sea_orm::sea_query::Expr::value(i.dict_type),
                )
                .filter(dict_data::Column::DictType.eq(old_key))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(row)
    }

    /// Deletes a dictionary type that is not built in, with its entries.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id` for a built-in one.
    pub async fn delete_dict_type(&self, id: i64) -> Result<()> {
        let current = self.get_dict_type(id).await?;
        if current.builtin {
            return Err(
                ValidationError::field("id", "built-in dictionaries cannot be deleted").into(),
            );
        }
        let txn = self.db.begin().await?;
        dict_data::Entity::delete_many()
            .filter(dict_data::Column::DictType.eq(current.dict_type))
            .exec(&txn)
            .await?;
        dict_type::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The entries of a dictionary, in sort order (disabled ones included).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn dict_data_of(&self, dict_type: &str) -> Result<Vec<dict_data::Model>> {
        Ok(dict_data::Entity::find()
            .filter(dict_data::Column::DictType.eq(dict_type))
            .order_by_asc(dict_data::Column::Sort)
            .order_by_asc(dict_data::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// One dictionary entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_dict_data(&self, id: i64) -> Result<dict_data::Model> {
        dict_data::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn check_dict_type_exists(&self, key: &str) -> Result<()> {
        if dict_type::Entity::find()
            .filter(dict_type::Column::DictType.eq(key))
            .one(&self.db)
            .await?
            .is_none()
        {
            return Err(ValidationError::field("dictType", "no such dictionary").into());
        }
        Ok(())
    }

    /// Adds an entry to a dictionary.
    ///
    /// # Errors
    /// Field errors on `dictType` (missing) and `value` (duplicate within the dictionary).
    pub async fn create_dict_data(&self, i: DictDataInput) -> Result<dict_data::Model> {
        self.check_dict_type_exists(&i.dict_type).await?;
        dict_data::ActiveModel {
            dict_type: Set(i.dict_type),
            label: Set(i.label),
            value: Set(i.value),
            sort: Set(i.sort),
            status: Set(i.status),
            remark: Set(i.remark),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| unique_as_field(e, "value", "this value already exists in the dictionary"))
    }

    /// Updates a dictionary entry. Entries of built-in dictionaries keep their value (stored
    /// records refer to it); label, order and status may change.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors on `value`, `dictType`.
    pub async fn update_dict_data(&self, id: i64, i: DictDataInput) -> Result<dict_data::Model> {
        let current = self.get_dict_data(id).await?;
        if current.dict_type != i.dict_type {
            return Err(ValidationError::field(
                "dictType",
                "an entry cannot move to another dictionary",
            )
            .into());
        }
        let builtin = dict_type::Entity::find()
            .filter(dict_type::Column::DictType.eq(current.dict_type.as_str()))
            .one(&self.db)
            .await?
            .is_some_and(|t| t.builtin);
        if builtin && current.value != i.value {
            return Err(ValidationError::field(
                "value",
                "values of a built-in dictionary cannot change",
            )
            .into());
        }
        let mut a: dict_data::ActiveModel = current.into();
        a.label = Set(i.label);
        a.value = Set(i.value);
        a.sort = Set(i.sort);
        a.status = Set(i.status);
        a.remark = Set(i.remark);
        a.update(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "value", "this value already exists in the dictionary"))
    }

    /// Deletes an entry of a dictionary that is not built in.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id` for a built-in dictionary's entry.
    pub async fn delete_dict_data(&self, id: i64) -> Result<()> {
        let current = self.get_dict_data(id).await?;
        let builtin = dict_type::Entity::find()
            .filter(dict_type::Column::DictType.eq(current.dict_type.as_str()))
            .one(&self.db)
            .await?
            .is_some_and(|t| t.builtin);
        if builtin {
            return Err(ValidationError::field(
                "id",
                "entries of a built-in dictionary cannot be deleted; disable them instead",
            )
            .into());
        }
        dict_data::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    /// Every system parameter.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_params(&self) -> Result<Vec<param::Model>> {
        Ok(param::Entity::find()
            .order_by_asc(param::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// One parameter by id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_param(&self, id: i64) -> Result<param::Model> {
        param::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A parameter's value by key.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn param_value(&self, key: &str) -> Result<Option<String>> {
        Ok(param::Entity::find()
            .filter(param::Column::ParamKey.eq(key))
            .one(&self.db)
            .await?
            .map(|p| p.value))
    }

    /// Creates a parameter.
    ///
    /// # Errors
    /// A field error on `paramKey` (duplicate).
    pub async fn create_param(&self, i: ParamInput) -> Result<param::Model> {
        param::ActiveModel {
            param_key: Set(i.param_key),
            name: Set(i.name),
            value: Set(i.value),
            builtin: Set(false),
            remark: Set(i.remark),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| unique_as_field(e, "paramKey", "a parameter with this key already exists"))
    }

    /// Updates a parameter. Built-in parameters keep their key.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors on `paramKey`.
    pub async fn update_param(&self, id: i64, i: ParamInput) -> Result<param::Model> {
        let current = self.get_param(id).await?;
        if current.builtin && current.param_key != i.param_key {
            return Err(ValidationError::field(
                "paramKey",
                "the key of a built-in parameter cannot change",
            )
            .into());
        }
        let mut a: param::ActiveModel = current.into();
        a.param_key = Set(i.param_key);
        a.name = Set(i.name);
        a.value = Set(i.value);
        a.remark = Set(i.remark);
        a.update(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "paramKey", "a parameter with this key already exists"))
    }

    /// Deletes a parameter that is not built in.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id` for a built-in one.
    pub async fn delete_param(&self, id: i64) -> Result<()> {
        let current = self.get_param(id).await?;
        if current.builtin {
            return Err(
                ValidationError::field("id", "built-in parameters cannot be deleted").into(),
            );
        }
        param::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }
}
