import type { Directive, DirectiveBinding } from 'vue'
import { hasPermiIn, hasRoleIn } from '@/utils/permission'

type Getter = () => readonly string[]

function check(el: HTMLElement, binding: DirectiveBinding<string | string[]>, owned: Getter, test: typeof hasPermiIn) {
  const value = binding.value
  if (!value || (Array.isArray(value) && value.length === 0)) {
    throw new Error('v-hasPermi / v-hasRole needs a permission string or a non-empty array, e.g. v-hasPermi="[\'enterprise:add\']"')
  }
  if (!test(owned(), value)) el.parentNode?.removeChild(el)
}

/** `v-hasPermi="['enterprise:add']"`: removes the element unless the user has one of the permissions. */
export function createHasPermi(owned: Getter): Directive<HTMLElement, string | string[]> {
  return { mounted: (el, binding) => check(el, binding, owned, hasPermiIn) }
}

/** `v-hasRole="['city_admin']"` */
export function createHasRole(owned: Getter): Directive<HTMLElement, string | string[]> {
  return { mounted: (el, binding) => check(el, binding, owned, hasRoleIn) }
}
