/**
 * Pure: a session host's /proc/<pid>/smaps grouped by what holds the memory (issue 15 memory
 * breakdown). PSS and private bytes per group, in kB as the kernel reports them.
 */
export interface Group { pssKb: number; privateKb: number; rssKb: number; sizeKb: number; mappings: number }

export interface Mapping { name: string; sizeKb: number; rssKb: number; pssKb: number; privateKb: number; perms: string }

export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | undefined;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      cur = { name: head[4]!.trim(), sizeKb: 0, rssKb: 0, pssKb: 0, privateKb: 0, perms: head[3]! };
      out.push(cur);
      continue;
    }
    const kv = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (!kv || !cur) continue;
    const v = Number(kv[2]);
    if (kv[1] === 'Size') cur.sizeKb = v;
    else if (kv[1] === 'Rss') cur.rssKb = v;
    else if (kv[1] === 'Pss') cur.pssKb = v;
    else if (kv[1] === 'Private_Clean' || kv[1] === 'Private_Dirty') cur.privateKb += v;
  }
  return out;
}

/**
 * Groups: the node binary (text/data), shared libraries, [heap] (glibc brk arena), [stack], file
 * mappings, and anonymous memory split by shape: ≥ 1 GB reservations (WebAssembly memories: V8
 * reserves 8 GB + guard per 32-bit memory; also V8's pointer-compression cage, not used by Node 20),
 * 8 MB-ish thread stacks (libuv pool, V8 platform workers), 64/128 MB glibc arenas of other threads,
 * and the rest (V8 heap pages, code space, malloc mmaps).
 */
export function groupSmaps(maps: Mapping[]): Record<string, Group> {
  const groups: Record<string, Group> = {};
  const add = (key: string, m: Mapping) => {
    const g = (groups[key] ??= { pssKb: 0, privateKb: 0, rssKb: 0, sizeKb: 0, mappings: 0 });
    g.pssKb += m.pssKb;
    g.privateKb += m.privateKb;
    g.rssKb += m.rssKb;
    g.sizeKb += m.sizeKb;
    g.mappings++;
  };
  for (const m of maps) {
    if (m.name.endsWith('/node') || /\/bin\/node$/.test(m.name)) add('node binary', m);
    else if (/\.so(\.|$)/.test(m.name) || m.name.endsWith('.node')) add(m.name.endsWith('.node') ? 'native addons (.node)' : 'shared libs', m);
    else if (m.name === '[heap]') add('[heap] (malloc brk)', m);
    else if (m.name === '[stack]') add('[stack] main', m);
    else if (m.name.startsWith('[')) add(`other ${m.name}`, m);
    else if (m.name !== '') add('file mappings', m);
    else if (m.sizeKb >= 1024 * 1024) add('anon ≥1 GB (wasm reservation)', m);
    else if (m.sizeKb === 8192 || m.sizeKb === 8188 || m.sizeKb === 8196) add('anon 8 MB (thread stacks)', m);
    else if (m.sizeKb >= 60 * 1024 && m.sizeKb <= 128 * 1024 && m.perms === 'rw-p') add('anon 64-128 MB (malloc arenas / big)', m);
    else add('anon other (V8 heap, code, malloc mmap)', m);
  }
  return groups;
}
