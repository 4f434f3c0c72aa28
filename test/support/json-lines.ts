/**
 * JSON log lines read strictly: `JSON.parse` keeps the last of two equal keys, so a child logger
 * that repeats a binding of its parent (`pid`, `component`) would go unnoticed — and a log
 * pipeline reading the line may keep the other one. `topLevelKeys` lists the keys as written.
 */

/** The keys of a JSON object's top level, in order, duplicates included. */
export function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(line.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (ch === '{' || ch === '[') {
      depth++;
      expectKey = ch === '{' && depth === 1;
    } else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 1) expectKey = true;
  }
  return keys;
}

/** Keys written more than once at the top level of a JSON line. */
export function duplicateKeys(line: string): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const k of topLevelKeys(line)) (seen.has(k) ? dups : seen).add(k);
  return [...dups];
}
