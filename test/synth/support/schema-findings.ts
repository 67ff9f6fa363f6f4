/**
 * What the strict schema checks share when they name a finding: a JSON pointer to the field, and
 * a hint when a field is one or two edits from a known one (the usual typo).
 */

/** One key as a JSON pointer segment. */
export function escapePointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** `; did you mean "imagePullPolicy"?` for a field one or two edits away from a known one. */
export function suggestion(field: string, known: readonly string[]): string {
  const ranked = known.map((k) => [k, editDistance(k.toLowerCase(), field.toLowerCase())] as const).filter(([, d]) => d <= 2);
  ranked.sort((a, b) => a[1] - b[1]);
  return ranked.length > 0 ? `; did you mean "${ranked[0]![0]}"?` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
