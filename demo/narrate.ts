/**
 * Terminal narration for `npm run demo`: numbered steps, indented facts, elapsed times. Plain
 * text with a little ANSI colour when stdout is a terminal, none when it is piped to a file.
 */
const tty = process.stdout.isTTY === true;
const paint = (code: number) => (text: string): string => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const green = paint(32);
export const dim = paint(2);
export const red = paint(31);

let stepNo = 0;
const demoStarted = Date.now();

export function step(title: string): void {
  stepNo += 1;
  const at = ((Date.now() - demoStarted) / 1000).toFixed(1);
  console.log(`\n${bold(`[${stepNo}] ${title}`)} ${dim(`(t+${at}s)`)}`);
}

export function say(text: string): void {
  console.log(`    ${text}`);
}

export function ok(text: string): void {
  console.log(`    ${green('✔')} ${text}`);
}

export function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

/** Indents a multi-line block (the QR code) under the current step. */
export function block(text: string): void {
  console.log(
    text
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n'),
  );
}
