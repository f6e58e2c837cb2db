import { reactive } from 'vue'
import { getDicts } from '@/api/system'
import type { DictData } from '@/api/types'

const cache = new Map<string, Promise<DictData[]>>()

/** Loads dictionaries by type; `label(type, value)` shows a code's label. */
export function useDicts(...types: string[]) {
  const dicts = reactive<Record<string, DictData[]>>(Object.fromEntries(types.map((t) => [t, []])))
  for (const t of types) {
    if (!cache.has(t)) cache.set(t, getDicts(t).catch((e) => { cache.delete(t); throw e }))
    cache.get(t)!.then((rows) => { dicts[t] = rows.filter((r) => r.status !== 'disabled') }).catch(() => undefined)
  }
  const label = (type: string, value: string | null | undefined) => dicts[type]?.find((d) => d.value === value)?.label ?? value ?? ''
  return { dicts, label }
}
