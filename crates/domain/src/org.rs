//! The organisation model's enumerations. Each has a stable code (stored in the database, used in
//! the API and in dictionaries) and a Chinese label for the console.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident, $dict:literal { $($(#[$vm:meta])* $var:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $code)] $var,)+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The dictionary type that lists these values.
            pub const DICT_TYPE: &'static str = $dict;

            /// The stable code stored and sent over the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$var => $code,)+ }
            }

            /// The Chinese label shown in the console.
            pub fn label(self) -> &'static str {
                match self { $($name::$var => $label,)+ }
            }

            /// Parses a code (or a Chinese label, as found in imported spreadsheets).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.code() == s || v.label() == s)
            }

            /// A message listing the accepted codes, for validation errors.
            pub fn expected() -> String {
                format!("must be one of: {}", Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

coded_enum!(
    /// Level of a region in the tree district → street → grid (区/街道/网格).
    RegionLevel, "region_level" {
        /// 区/县
        District = "district", "区县";
        /// 街道/乡镇
        Street = "street", "街道";
        /// 网格
        Grid = "grid", "网格";
    }
);

impl RegionLevel {
    /// The level a child of this level must have, if it may have children.
    pub fn child(self) -> Option<Self> {
        match self {
            Self::District => Some(Self::Street),
            Self::Street => Some(Self::Grid),
            Self::Grid => None,
        }
    }

    /// Whether a region of this level may sit under `parent` (`None` = the root: districts only).
    pub fn may_have_parent(self, parent: Option<Self>) -> bool {
        match parent {
            None => self == Self::District,
            Some(p) => p.child() == Some(self),
        }
    }
}

coded_enum!(
    /// Kind of supervising department (负有安全监管职责的部门).
    DepartmentKind, "department_kind" {
        /// 应急管理局
        Bureau = "bureau", "应急管理";
        /// 住房和城乡建设
        Housing = "housing", "住房城乡建设";
        /// 交通运输
        Transport = "transport", "交通运输";
        /// 市场监督管理 (special equipment)
        MarketRegulation = "market_regulation", "市场监督管理";
        /// 消防救援
        Fire = "fire", "消防救援";
        /// 经济和信息化
        Industry = "industry", "经济和信息化";
        /// 公安
        PublicSecurity = "public_security", "公安";
        /// 其他
        Other = "other", "其他";
    }
);

coded_enum!(
    /// Supervision category of an enterprise (监管分类), which decides the rules that apply to it.
    SupervisionCategory, "supervision_category" {
        /// 危险化学品
        HazardousChemicals = "hazardous_chemicals", "危险化学品";
        /// 非煤矿山
        NonCoalMine = "non_coal_mine", "非煤矿山";
        /// 煤矿
        CoalMine = "coal_mine", "煤矿";
        /// 烟花爆竹
        Fireworks = "fireworks", "烟花爆竹";
        /// 冶金等工贸 (metallurgy and other industry-trade)
        IndustryTrade = "industry_trade", "冶金等工贸";
        /// 建筑施工
        Construction = "construction", "建筑施工";
        /// 交通运输
        Transport = "transport", "交通运输";
        /// 特种设备使用
        SpecialEquipment = "special_equipment", "特种设备";
        /// 人员密集场所
        CrowdedPlace = "crowded_place", "人员密集场所";
        /// 其他
        Other = "other", "其他";
    }
);

coded_enum!(
    /// Enterprise scale (企业规模), per the statistical classification of enterprise sizes.
    EnterpriseScale, "enterprise_scale" {
        /// 大型
        Large = "large", "大型";
        /// 中型
        Medium = "medium", "中型";
        /// 小型
        Small = "small", "小型";
        /// 微型
        Micro = "micro", "微型";
    }
);

coded_enum!(
    /// Operating status of an enterprise.
    EnterpriseStatus, "enterprise_status" {
        /// 正常生产
        Operating = "operating", "正常生产";
        /// 停产整顿
        Suspended = "suspended", "停产整顿";
        /// 停业
        Closed = "closed", "停业";
        /// 注销
        Deregistered = "deregistered", "注销";
    }
);

coded_enum!(
    /// Whether a record (user, role, dictionary entry ...) is in use.
    RecordStatus, "record_status" {
        /// 正常
        Active = "active", "正常";
        /// 停用
        Disabled = "disabled", "停用";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for c in SupervisionCategory::ALL {
            assert_eq!(SupervisionCategory::parse(c.code()), Some(*c));
            assert_eq!(SupervisionCategory::parse(c.label()), Some(*c));
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
        }
        assert_eq!(EnterpriseScale::parse("huge"), None);
        assert!(EnterpriseScale::expected().contains("large"));
    }

    #[test]
    fn region_tree_shape() {
        assert!(RegionLevel::District.may_have_parent(None));
        assert!(!RegionLevel::Street.may_have_parent(None));
        assert!(RegionLevel::Street.may_have_parent(Some(RegionLevel::District)));
        assert!(RegionLevel::Grid.may_have_parent(Some(RegionLevel::Street)));
        assert!(!RegionLevel::Grid.may_have_parent(Some(RegionLevel::District)));
        assert!(!RegionLevel::District.may_have_parent(Some(RegionLevel::Grid)));
    }
}
