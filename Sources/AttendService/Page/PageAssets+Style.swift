extension PageAssets {
    /// The page's style sheet.
    static let css = #"""
        :root {
          --fg: #1d2330; --muted: #5b6478; --bg: #f6f7fb; --panel: #ffffff; --line: #d9deea;
          --accent: #2f5fd0; --error-bg: #fdecec; --error-fg: #8a1c1c; --row: 22px; --thumb: 76px;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
          color: var(--fg); background: var(--bg);
        }
        [hidden] { display: none !important; }
        * { box-sizing: border-box; }
        body { margin: 0; }
        .top { padding: 14px 24px 4px; }
        .top h1 { margin: 0; font-size: 22px; }
        .top p { margin: 4px 0 0; color: var(--muted); }
        main { padding: 8px 24px 40px; max-width: 1400px; }
        .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
          margin: 10px 0; }
        h2 { font-size: 15px; margin: 0 0 8px; }
        label, .label { font-weight: 600; font-size: 13px; }
        textarea { width: 100%; font: inherit; font-size: 15px; padding: 8px; border: 1px solid var(--line);
          border-radius: 6px; margin: 6px 0 8px; resize: vertical; }
        .controls, .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
        select, button { font: inherit; font-size: 14px; padding: 4px 8px; border: 1px solid var(--line);
          border-radius: 6px; background: #fff; color: var(--fg); }
        button { cursor: pointer; }
        .key-row { display: inline-flex; align-items: center; gap: 6px; }
        .key-row input { font: inherit; font-size: 14px; padding: 4px 8px; border: 1px solid var(--line);
          border-radius: 6px; }
        button[type=submit] { background: var(--accent); color: #fff; border-color: var(--accent); padding: 5px 16px; }
        button:disabled { opacity: 0.6; cursor: progress; }
        button.small { font-size: 12px; padding: 2px 6px; }
        .status { color: var(--muted); font-size: 13px; }
        .error { background: var(--error-bg); color: var(--error-fg); border: 1px solid #f1b5b5; border-radius: 8px;
          padding: 10px 14px; margin: 10px 0; }
        #error-message { white-space: pre-wrap; }
        .error .code { font-weight: 700; margin-right: 6px; }
        .tokens { display: flex; flex-wrap: wrap; gap: 4px; }
        .chip { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; padding: 2px 6px;
          border-radius: 4px; background: #eef1f8; border: 1px solid var(--line); }
        .chip.special, .tok.special { color: #8a5a00; }
        .chip.piece { background: #f3eefc; }
        .chip small { color: var(--muted); margin-left: 3px; }
        .tabs { display: flex; gap: 4px; margin-top: 14px; }
        .tabs button { border-radius: 6px 6px 0 0; border-bottom: none; background: #eceff6; }
        .tabs button[aria-selected=true] { background: var(--panel); font-weight: 600; }
        .view { margin-top: 0; border-top-left-radius: 0; }
        .hint { color: var(--muted); font-size: 13px; margin: 8px 0; max-width: 900px; }
        .source { font-style: italic; }
        .head-toggles { display: flex; flex-wrap: wrap; gap: 4px; }
        .head-toggle { display: inline-flex; align-items: center; gap: 3px; font-weight: 400; font-size: 12px;
          border: 1px solid var(--line); border-radius: 4px; padding: 1px 5px 1px 2px; cursor: pointer; }
        .head-toggle input { margin: 0; }
        .swatch { width: 10px; height: 10px; border-radius: 2px; display: inline-block; }
        .headview { display: flex; align-items: flex-start; margin-top: 6px; }
        .column { display: flex; flex-direction: column; }
        .column.left { align-items: flex-end; }
        .column.right { align-items: flex-start; }
        .tok { height: var(--row); line-height: var(--row); margin: 0; padding: 0 6px; border: 0; border-radius: 3px;
          font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; background: transparent;
          white-space: nowrap; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
        .tok:hover { outline: 1px solid var(--line); }
        .tok.selected { background: #1d2330; color: #fff; }
        .scroll { overflow: auto; max-width: 100%; }
        .scroll.big { max-height: 78vh; }
        .grid { display: grid; gap: 4px; align-items: center; justify-items: center; width: max-content; }
        .grid .head-label, .grid .layer-label { font-size: 11px; color: var(--muted); }
        canvas.heatmap { width: var(--thumb); height: var(--thumb); image-rendering: pixelated; cursor: zoom-in;
          border: 1px solid var(--line); }
        canvas.heatmap:focus, canvas.heatmap:hover { outline: 2px solid var(--accent); }
        canvas.matrix { display: block; }
        .value { display: block; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px;
          min-height: 1.4em; margin: 4px 0; }
        dialog { border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; max-width: 95vw; }
        dialog::backdrop { background: rgba(20, 24, 36, 0.45); }
        .dialog-head { display: flex; justify-content: space-between; align-items: center; gap: 16px; }
        .dialog-head h3 { margin: 0; font-size: 16px; }

        """#
}
