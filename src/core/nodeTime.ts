/**
 * Self time per (endpoint, profile node), accumulated sample by sample in flat arrays. The sites
 * of a node's charge are the same for every request, so splitting over sites can wait until the
 * end and happen once per (endpoint, node) instead of once per sample.
 */

/** Time and sample counts per (endpoint, node) pair, in slots of growable arrays. */
export class NodeTimeTable {
  /** Slot -> self time (µs). */
  readonly us: number[] = [];
  /** Slot -> samples. */
  readonly samples: number[] = [];
  /** Slot -> endpoint index. */
  readonly endpoint: number[] = [];
  /** Slot -> node index. */
  readonly node: number[] = [];
  /** Node -> the slot it had last, -1 before any: most nodes belong to one endpoint only. */
  private readonly lastSlot: Int32Array;
  /** `endpoint * nodeCount + node` -> slot, for nodes that several endpoints share. */
  private readonly slots = new Map<number, number>();

  constructor(private readonly nodeCount: number) {
    this.lastSlot = new Int32Array(nodeCount).fill(-1);
  }

  /** Adds one sample of `us` µs on `node` to `endpoint`. */
  add(endpoint: number, node: number, us: number): void {
    let slot = this.lastSlot[node] ?? -1;
    if (slot < 0 || this.endpoint[slot] !== endpoint) {
      slot = this.slotOf(endpoint, node);
      this.lastSlot[node] = slot;
    }
    this.us[slot] = (this.us[slot] ?? 0) + us;
    this.samples[slot] = (this.samples[slot] ?? 0) + 1;
  }

  /** The number of (endpoint, node) pairs seen. */
  get size(): number {
    return this.us.length;
  }

  private slotOf(endpoint: number, node: number): number {
    const key = endpoint * this.nodeCount + node;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.us.length;
      this.us.push(0);
      this.samples.push(0);
      this.endpoint.push(endpoint);
      this.node.push(node);
      this.slots.set(key, slot);
    }
    return slot;
  }
}
