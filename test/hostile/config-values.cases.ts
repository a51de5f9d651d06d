import type { HostileCase } from './case.ts'

export const cases: HostileCase[] = []
