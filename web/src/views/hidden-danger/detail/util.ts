import { hdApi, type HdStatus, type HiddenDanger } from '@/api/hiddenDanger'
import { ApiError } from '@/utils/request'

/** Element Plus tag type of a status. */
export function statusTagType(s: HdStatus): 'info' | 'primary' | 'success' | 'warning' | 'danger' {
  switch (s) {
    case 'reported': return 'warning'
    case 'confirmed': case 'assigned': return 'primary'
    case 'in_remediation': case 'submitted': return 'warning'
    case 'closed': return 'success'
    default: return 'info'
  }
}

/** A time in Asia/Shanghai as `YYYY-MM-DD HH:mm`. */
export function fmtLocal(iso?: string | null): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString()
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`
}

/** Today's date in Asia/Shanghai, `YYYY-MM-DD`, plus `days`. */
export function shanghaiToday(days = 0): string {
  return new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10)
}

/** Whether a record shows the overdue badge. */
export const isOverdue = (r: Pick<HiddenDanger, 'overdue'>) => r.overdue

/**
 * Turns an alarm into a hidden danger (the alarm console's 转为隐患) and opens it; when the alarm
 * was turned already (409 naming `hidden danger <id>`), opens that one.
 */
export async function alarmToHiddenDanger(
  alarmId: number,
  go: (path: string) => unknown,
  notify: { ok: (code: string) => void; fail: (message: string) => void },
): Promise<void> {
  try {
    const r = await hdApi.fromAlarm(alarmId)
    notify.ok(r.code)
    go('/hidden-danger/detail/' + r.id)
  } catch (e) {
    const m = e instanceof ApiError && e.status === 409 ? /hidden danger (\d+)/.exec(e.message) : null
    if (m) go('/hidden-danger/detail/' + m[1])
    else notify.fail((e as Error).message)
  }
}
