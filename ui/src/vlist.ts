// A virtualized list: only the rows in view (plus a margin) exist in the DOM,
// so 10,000 tasks scroll and filter without delay.
export interface VListOptions<T> {
  rowHeight: number;
  render: (item: T, index: number) => HTMLElement;
  key: (item: T) => string;
}

export class VList<T> {
  private items: T[] = [];
  private readonly spacer: HTMLElement;
  private readonly rows = new Map<string, HTMLElement>();
  private frame = 0;

  constructor(
    readonly root: HTMLElement,
    private readonly opts: VListOptions<T>,
  ) {
    root.classList.add("vlist");
    this.spacer = document.createElement("div");
    this.spacer.className = "vlist-spacer";
    root.append(this.spacer);
    root.addEventListener("scroll", () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(root);
  }

  setItems(items: T[]): void {
    this.items = items;
    this.spacer.style.height = `${items.length * this.opts.rowHeight}px`;
    // Rows are rebuilt: their content may have changed.
    for (const r of this.rows.values()) r.remove();
    this.rows.clear();
    this.draw();
  }

  get length(): number {
    return this.items.length;
  }

  /** Scrolls so that row `index` is visible. */
  reveal(index: number): void {
    const top = index * this.opts.rowHeight;
    const bottom = top + this.opts.rowHeight;
    if (top < this.root.scrollTop) this.root.scrollTop = top;
    else if (bottom > this.root.scrollTop + this.root.clientHeight)
      this.root.scrollTop = bottom - this.root.clientHeight;
    this.draw();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Creates the rows in view, removes the others. */
  draw(): void {
    const { rowHeight } = this.opts;
    const height = this.root.clientHeight || 800;
    const first = Math.max(0, Math.floor(this.root.scrollTop / rowHeight) - 10);
    const last = Math.min(this.items.length, Math.ceil((this.root.scrollTop + height) / rowHeight) + 10);
    const wanted = new Set<string>();
    for (let i = first; i < last; i++) {
      const item = this.items[i];
      const k = this.opts.key(item);
      wanted.add(k);
      let row = this.rows.get(k);
      if (!row) {
        row = this.opts.render(item, i);
        row.style.position = "absolute";
        row.style.left = "0";
        row.style.right = "0";
        row.style.height = `${rowHeight}px`;
        this.rows.set(k, row);
        this.root.append(row);
      }
      row.style.top = `${i * rowHeight}px`;
    }
    for (const [k, row] of this.rows) {
      if (!wanted.has(k)) {
        row.remove();
        this.rows.delete(k);
      }
    }
  }
}
