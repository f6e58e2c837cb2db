import { describe, expect, it } from 'vitest'
import { csvCell, drill, levelHex, regionStatsCsv, UNASSESSED_HEX } from '@/views/situation/helpers'
import { COLOUR_HEX } from '@/views/risk/helpers'
import type { RegionStat } from '@/api/situation'

describe('situation helpers', () => {
  it('colours levels like the risk pages, grey when not assessed', () => {
    expect(levelHex('major')).toBe(COLOUR_HEX.red)
    expect(levelHex('high')).toBe(COLOUR_HEX.orange)
    expect(levelHex('medium')).toBe(COLOUR_HEX.yellow)
    expect(levelHex('low')).toBe(COLOUR_HEX.blue)
    expect(levelHex(null)).toBe(UNASSESSED_HEX)
  })
  it('builds drill-down links with only the given filters', () => {
    expect(drill.dossier(7)).toEqual({ path: '/enterprise/dossier/7' })
    expect(drill.enterprises(3, 'fireworks')).toEqual({ path: '/enterprise/list', query: { regionId: '3', supervisionCategory: 'fireworks' } })
    expect(drill.enterprises(null)).toEqual({ path: '/enterprise/list', query: {} })
    expect(drill.enterpriseRisks(null, 'none').query).toEqual({})
  })
  it('quotes CSV cells and neutralises formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('=1+1')).toBe("'=1+1")
    expect(csvCell(null)).toBe('')
    const row: RegionStat = {
      regionId: 1, code: '01', name: '一区', level: 'district', enterprises: 2,
      risk: { major: 1, high: 0, medium: 1, low: 0, none: 0 }, installationsByGrade: [1, 0, 0, 0],
      alarms: 3, alarmsCritical: 1, alarmsHigh: 2, activeAlarms: 1,
      hiddenDangersReported: 4, hiddenDangersMajor: 1, hiddenDangersClosed: 2, hiddenDangersOpen: 2, hiddenDangersOverdue: 1,
    }
    const csv = regionStatsCsv(['区域'], [row], { ...row, name: '合计' })
    expect(csv.startsWith('\uFEFF区域\r\n一区,01,2,1,0,1,0,0,1,0,0,0,3,1,2,1,4,1,2,2,1\r\n合计')).toBe(true)
  })
})
