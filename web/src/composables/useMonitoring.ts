import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { listEnterprises } from '@/api/enterprise'
import { deviceApi, type Device } from '@/api/monitoring'
import type { Option } from '@/components/crud'
import { getToken } from '@/utils/auth'

interface Named { id: number; name: string; code?: string }
let enterprises: Promise<Named[]> | null = null
/** The session the cached list belongs to: another login (another scope) loads it again. */
let enterprisesFor: string | null = null

/** Enterprises to choose from (the first 500 in scope; none when the account may not list them). */
export function useEnterpriseOptions() {
  const list = ref<Named[]>([])
  if (!enterprises || enterprisesFor !== getToken()) {
    enterprisesFor = getToken()
    enterprises = listEnterprises({ pageNum: 1, pageSize: 500 })
      .then((r) => r.rows.map((e) => ({ id: e.id, name: e.name })))
      .catch(() => {
        enterprises = null
        return []
      })
  }
  enterprises.then((r) => (list.value = r))
  const options = (): Option[] => list.value.map((e) => ({ label: e.name, value: e.id }))
  return { enterprises: list, options }
}

/** Devices to choose from (first 500 in scope), with their online state. */
export function useDeviceOptions() {
  const devices = ref<Device[]>([])
  const load = () =>
    deviceApi
      .list({ pageNum: 1, pageSize: 500 })
      .then((r) => (devices.value = r.rows))
      .catch(() => (devices.value = []))
  load()
  const options = (enterpriseId?: unknown): Option[] =>
    devices.value.filter((d) => !enterpriseId || d.enterpriseId === enterpriseId).map((d) => ({ label: `${d.code} ${d.name}`, value: d.id }))
  return { devices, options, reload: load }
}

/** Labels of the monitoring enums (priority, state, condition, ...) in the current language. */
export function useMonLabels() {
  const { t, te } = useI18n()
  const lab = (group: string) => (v: string | null | undefined) => (v ? (te(`mon.${group}.${v}`) ? t(`mon.${group}.${v}`) : v) : '')
  const opts = (group: string, values: readonly string[]) => (): Option[] => values.map((v) => ({ label: lab(group)(v), value: v }))
  return {
    t,
    priority: lab('priority'),
    state: lab('state'),
    condition: lab('condition'),
    event: lab('event'),
    quantity: lab('quantity'),
    deviceKind: lab('deviceKind'),
    direction: lab('direction'),
    delivery: lab('delivery'),
    sourceKind: lab('sourceKind'),
    opts,
  }
}
