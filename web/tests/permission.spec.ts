import { describe, expect, it } from 'vitest'
import { createApp, h, withDirectives, resolveDirective, defineComponent } from 'vue'
import { hasPermiIn, permissionMatches, hasRoleIn } from '@/utils/permission'
import { createHasPermi } from '@/directives/hasPermi'

describe('permission helper', () => {
  it('matches exact strings', () => {
    expect(hasPermiIn(['enterprise:add'], 'enterprise:add')).toBe(true)
    expect(hasPermiIn(['enterprise:add'], 'enterprise:edit')).toBe(false)
  })
  it('grants everything to *:*:*', () => {
    expect(hasPermiIn(['*:*:*'], ['system:user:remove'])).toBe(true)
    expect(permissionMatches('*:*:*', 'anything')).toBe(true)
  })
  it('supports prefix:* wildcards', () => {
    expect(hasPermiIn(['enterprise:*'], 'enterprise:import')).toBe(true)
    expect(hasPermiIn(['system:*'], 'system:user:add')).toBe(true)
    expect(hasPermiIn(['system:user:*'], 'system:role:add')).toBe(false)
    expect(hasPermiIn(['enterprise:*'], 'enterprises:add')).toBe(false)
  })
  it('needs only one of several', () => {
    expect(hasPermiIn(['enterprise:edit'], ['enterprise:add', 'enterprise:edit'])).toBe(true)
    expect(hasPermiIn([], ['enterprise:add'])).toBe(false)
    expect(hasPermiIn(['*:*:*'], [])).toBe(false)
  })
  it('checks roles', () => {
    expect(hasRoleIn(['city_admin'], ['city_admin'])).toBe(true)
    expect(hasRoleIn(['housing'], 'city_admin')).toBe(false)
  })
})

describe('v-hasPermi directive', () => {
  function mount(owned: string[], required: string[]) {
    const root = document.createElement('div')
    const Comp = defineComponent({
      render() {
        const dir = resolveDirective('hasPermi')!
        return h('div', { class: 'wrap' }, [
          withDirectives(h('button', { 'data-testid': 'guarded' }, 'add'), [[dir, required]]),
          h('span', { 'data-testid': 'always' }, 'x'),
        ])
      },
    })
    const app = createApp(Comp)
    app.directive('hasPermi', createHasPermi(() => owned))
    app.mount(root)
    return root
  }

  it('keeps the element when permitted', () => {
    const el = mount(['enterprise:add'], ['enterprise:add'])
    expect(el.querySelector('[data-testid=guarded]')).not.toBeNull()
  })
  it('removes the element when not permitted', () => {
    const el = mount(['enterprise:list'], ['enterprise:add'])
    expect(el.querySelector('[data-testid=guarded]')).toBeNull()
    expect(el.querySelector('[data-testid=always]')).not.toBeNull()
  })
  it('honours wildcards', () => {
    expect(mount(['*:*:*'], ['enterprise:remove']).querySelector('[data-testid=guarded]')).not.toBeNull()
    expect(mount(['enterprise:*'], ['enterprise:remove']).querySelector('[data-testid=guarded]')).not.toBeNull()
    expect(mount(['system:*'], ['enterprise:remove']).querySelector('[data-testid=guarded]')).toBeNull()
  })
})
