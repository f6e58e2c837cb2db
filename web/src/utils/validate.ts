/** GB 32100-2015 unified social credit code (统一社会信用代码). */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

/** Weights 3^(i-1) mod 31 for positions 1..17. */
export const USCC_WEIGHTS: number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1
  for (let k = 0; k < i; k++) w = (w * 3) % 31
  return w
})

/** The check character for the first 17 characters, or null if one of them is not in the alphabet. */
export function usccCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i])
    if (v < 0) return null
    sum += v * USCC_WEIGHTS[i]
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]
}

export type UsccProblem = 'empty' | 'length' | 'charset' | 'check'

export interface UsccResult {
  valid: boolean
  problem?: UsccProblem
  /** The check character the first 17 characters call for (when they are well-formed). */
  expected?: string
}

export function checkUscc(raw: string): UsccResult {
  const code = (raw ?? '').trim().toUpperCase()
  if (!code) return { valid: false, problem: 'empty' }
  for (const ch of code) if (!USCC_ALPHABET.includes(ch)) return { valid: false, problem: 'charset' }
  if (code.length !== 18) return { valid: false, problem: 'length' }
  const expected = usccCheckChar(code.slice(0, 17))!
  if (expected !== code[17]) return { valid: false, problem: 'check', expected }
  return { valid: true, expected }
}

export function isValidUscc(code: string): boolean {
  return checkUscc(code).valid
}

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null
  const n = typeof v === 'number' ? v : Number(String(v).trim())
  return Number.isFinite(n) ? n : NaN
}

/** null = empty (allowed), true = valid, false = not a number or out of range. */
export function isValidLongitude(v: unknown): boolean | null {
  const n = toNumber(v)
  if (n === null) return null
  return !Number.isNaN(n) && n >= -180 && n <= 180
}

export function isValidLatitude(v: unknown): boolean | null {
  const n = toNumber(v)
  if (n === null) return null
  return !Number.isNaN(n) && n >= -90 && n <= 90
}

export type CoordinateProblem = 'longitude' | 'latitude' | 'pair' | null

/** Checks a coordinate pair: both or neither, each in range. */
export function checkCoordinates(lng: unknown, lat: unknown): CoordinateProblem {
  const a = isValidLongitude(lng)
  const b = isValidLatitude(lat)
  if (a === false) return 'longitude'
  if (b === false) return 'latitude'
  if ((a === null) !== (b === null)) return 'pair'
  return null
}

/** Mainland mobile or fixed-line phone, loosely. */
export function isValidPhone(v: string): boolean {
  return /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$/.test(v.trim())
}
