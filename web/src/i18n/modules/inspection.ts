/** Messages of this area, merged into the locale files by `i18n/index.ts`. */
export default {
  'zh-CN': {},
  en: {},
} as { 'zh-CN': Record<string, unknown>; en: Record<string, unknown> }
