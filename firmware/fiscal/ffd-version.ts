/**
 * FFD versions the register speaks and their tag 1209 codes (fiscal-spec §2.3:
 * 1 = 1.0, 2 = 1.05, 3 = 1.1, 4 = 1.2). Only 1.05 and 1.2 are in scope.
 */
export type FfdVersion = '1.05' | '1.2';

export const FFD_VERSIONS: readonly FfdVersion[] = ['1.05', '1.2'];

const TAG_1209_CODE: Readonly<Record<FfdVersion, number>> = { '1.05': 2, '1.2': 4 };

export function ffdVersionCode(version: FfdVersion): number {
  return TAG_1209_CODE[version];
}

export function ffdVersionFromCode(code: number): FfdVersion | undefined {
  return FFD_VERSIONS.find((v) => TAG_1209_CODE[v] === code);
}
