import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import risk from './modules/risk'
import hiddenDanger from './modules/hiddenDanger'
import inspection from './modules/inspection'
import majorHazard from './modules/majorHazard'
import enterpriseRisk from './modules/enterpriseRisk'
import situation from './modules/situation'

type Tree = Record<string, unknown>

/** Deep-merges `b` into a copy of `a` (objects merge; other values from `b` win). */
export function deepMerge(a: Tree, b: Tree): Tree {
  const out: Tree = { ...a }
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k]
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Tree, v as Tree)
        : v
  }
  return out
}

const modules = [risk, hiddenDanger, inspection, majorHazard, enterpriseRisk, situation]
const zh = modules.reduce((acc, m) => deepMerge(acc, m['zh-CN']), zhCN as unknown as Tree) as typeof zhCN
const english = modules.reduce((acc, m) => deepMerge(acc, m.en), en as unknown as Tree) as typeof en

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en: english },
})
