import { i18n } from '@/i18n'

/** A title that is an i18n key when one exists, else shown as is. */
export function tt(keyOrText: string | undefined | null, fallback?: string | null): string {
  const g = i18n.global
  if (keyOrText && g.te(keyOrText)) return g.t(keyOrText)
  if (keyOrText && g.te(keyOrText, 'zh-CN')) return g.t(keyOrText)
  return fallback || keyOrText || ''
}
