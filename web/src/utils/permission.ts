export const ALL_PERMISSION = '*:*:*'

/** Does one owned permission string grant the required one? `*:*:*` grants all; `a:*` grants every `a:...`. */
export function permissionMatches(owned: string, required: string): boolean {
  if (owned === ALL_PERMISSION || owned === '*') return true
  if (owned === required) return true
  if (owned.endsWith(':*')) {
    const prefix = owned.slice(0, -1) // keep the colon
    return required.startsWith(prefix)
  }
  return false
}

/** True when the owned permissions grant at least one of the required ones. */
export function hasPermiIn(owned: readonly string[], required: string | readonly string[]): boolean {
  const list = typeof required === 'string' ? [required] : required
  if (list.length === 0) return false
  return list.some((r) => owned.some((o) => permissionMatches(o, r)))
}

/** True when the user has one of the given roles (`admin` has every role). */
export function hasRoleIn(owned: readonly string[], required: string | readonly string[]): boolean {
  const list = typeof required === 'string' ? [required] : required
  return list.some((r) => owned.includes('admin') || owned.includes(r))
}
