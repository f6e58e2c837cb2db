import { describe, expect, it } from 'vitest'
import { checkCoordinates, checkUscc, isValidLatitude, isValidLongitude, isValidUscc, usccCheckChar, USCC_WEIGHTS, isValidPhone } from '@/utils/validate'

describe('GB 32100 credit code', () => {
  it('uses weights 3^(i-1) mod 31', () => {
    expect(USCC_WEIGHTS).toEqual([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
  })
  it('accepts the known valid code and rejects a wrong check character', () => {
    expect(isValidUscc('91110000600037341L')).toBe(true)
    expect(usccCheckChar('91110000600037341')).toBe('L')
    const bad = checkUscc('91110000600037341N')
    expect(bad.valid).toBe(false)
    expect(bad.problem).toBe('check')
    expect(bad.expected).toBe('L')
  })
  it('accepts the demo data code', () => {
    expect(isValidUscc('91320104542912186A')).toBe(true)
  })
  it('reports length and charset problems', () => {
    expect(checkUscc('').problem).toBe('empty')
    expect(checkUscc('9111000060003734').problem).toBe('length')
    expect(checkUscc('91110000600037341LX').problem).toBe('length')
    expect(checkUscc('9111000060003734IL').problem).toBe('charset') // I is not in the alphabet
    expect(checkUscc('91110000600037341O').problem).toBe('charset')
  })
  it('is case-insensitive and trims', () => {
    expect(isValidUscc(' 91110000600037341l ')).toBe(true)
  })
})

describe('coordinates', () => {
  it('checks ranges', () => {
    expect(isValidLongitude('118.78')).toBe(true)
    expect(isValidLongitude(-180)).toBe(true)
    expect(isValidLongitude('180.1')).toBe(false)
    expect(isValidLongitude('abc')).toBe(false)
    expect(isValidLongitude('')).toBeNull()
    expect(isValidLatitude('32.0')).toBe(true)
    expect(isValidLatitude('-90.5')).toBe(false)
    expect(isValidLatitude(null)).toBeNull()
  })
  it('wants both or neither', () => {
    expect(checkCoordinates('', '')).toBeNull()
    expect(checkCoordinates('118.7', '32.0')).toBeNull()
    expect(checkCoordinates('118.7', '')).toBe('pair')
    expect(checkCoordinates('', '32')).toBe('pair')
    expect(checkCoordinates('200', '32')).toBe('longitude')
    expect(checkCoordinates('118', '95')).toBe('latitude')
  })
})

describe('phone', () => {
  it('accepts mobile and fixed-line numbers', () => {
    expect(isValidPhone('13352542924')).toBe(true)
    expect(isValidPhone('025-84201234')).toBe(true)
    expect(isValidPhone('12345')).toBe(false)
  })
})
