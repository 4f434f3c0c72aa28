/**
 * The local generation label of the auth folder, kept so that "the higher generation wins" is
 * true at the next start: content that differs from the newest uploaded snapshot always carries
 * a higher label than it, and the bump is written to disk before the change itself.
 *
 * - `current`: label of the local content.
 * - `uploaded`: newest generation known to be in remote storage with this content's ancestor.
 * - `inFlight`: generation being uploaded right now; a change during the upload is newer than it.
 *
 * Pure bookkeeping; the caller persists `current` whenever a method returns a new value.
 */
export class GenerationLedger {
  private inFlight: number | undefined;

  constructor(private currentGen: number, private uploadedGen: number) {}

  get current(): number {
    return this.currentGen;
  }

  get uploaded(): number {
    return this.uploadedGen;
  }

  /** Local content differs from what remote storage holds. */
  get needsUpload(): boolean {
    return this.currentGen > this.uploadedGen;
  }

  /** A change is about to be written. Returns the new label to persist first, or null. */
  onChange(): number | null {
    const floor = Math.max(this.uploadedGen, this.inFlight ?? -1);
    if (this.currentGen > floor) return null;
    this.currentGen = floor + 1;
    return this.currentGen;
  }

  /** Starts an upload of the current content; returns its generation. */
  beginUpload(): number {
    this.inFlight = this.currentGen;
    return this.currentGen;
  }

  /** The upload of `generation` is published. */
  uploadSucceeded(generation: number): void {
    this.inFlight = undefined;
    this.uploadedGen = Math.max(this.uploadedGen, generation);
  }

  uploadFailed(): void {
    this.inFlight = undefined;
  }
}
