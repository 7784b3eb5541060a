'use strict';
(function () {
  const ROW = 22; // px per token row in the head view (matches --row in app.css)
  const HEAD_VIEW_WIDTH = 280;
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
    '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#ad494a', '#637939', '#e7ba52', '#7b4173', '#3182bd'];
  const $ = (id) => document.getElementById(id);

  const state = {
    models: [], tokens: [], ids: [], n: 0, layers: [], heads: [], raw: [], maps: [],
    layer: 0, headOn: [], selected: null, rollout: null, entropy: null, similarity: null,
    analysisSource: '', view: 'head', serviceAnalysis: true, generation: 0,
  };

  // ---------- colour maps ----------
  function lut(stops) {
    const out = new Array(256);
    for (let k = 0; k < 256; k++) {
      const t = k / 255 * (stops.length - 1);
      const a = Math.min(stops.length - 2, Math.floor(t));
      const f = t - a;
      const c = [0, 1, 2].map((i) => Math.round(stops[a][i] + (stops[a + 1][i] - stops[a][i]) * f));
      out[k] = c;
    }
    return out;
  }
  const BLUES = lut([[255, 255, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]]);
  const VIRIDIS = lut([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]]);
  const RDBU = lut([[5, 48, 97], [67, 147, 195], [247, 247, 247], [214, 96, 77], [103, 0, 31]]);
  function pick(map, t) {
    const k = Math.max(0, Math.min(255, Math.round((Number.isFinite(t) ? t : 0) * 255)));
    return map[k];
  }
  function css(c) { return `rgb(${c[0]},${c[1]},${c[2]})`; }
  function headColor(h, count) {
    return count <= PALETTE.length ? PALETTE[h] : `hsl(${Math.round(h * 360 / count)},70%,45%)`;
  }

  // ---------- math (fallbacks and similarity) ----------
  function flatten(rows, n) {
    const out = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      for (let j = 0; j < n; j++) out[i * n + j] = row[j];
    }
    return out;
  }
  // Same definition as AttentionAnalysis.rollout in the service.
  function rollout(maps, n) {
    let result = new Float64Array(n * n);
    for (let i = 0; i < n; i++) result[i * n + i] = 1;
    for (const layer of maps) {
      const a = new Float64Array(n * n);
      for (const m of layer) for (let k = 0; k < n * n; k++) a[k] += m[k] / layer.length;
      for (let i = 0; i < n; i++) {
        a[i * n + i] += 1;
        let sum = 0;
        for (let j = 0; j < n; j++) sum += a[i * n + j];
        if (sum > 0) for (let j = 0; j < n; j++) a[i * n + j] /= sum;
      }
      const next = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) {
          const v = a[i * n + k];
          if (v === 0) continue;
          for (let j = 0; j < n; j++) next[i * n + j] += v * result[k * n + j];
        }
      }
      result = next;
    }
    return Array.from({ length: n }, (_, i) => Array.from(result.subarray(i * n, i * n + n)));
  }
  function entropy(m, n) {
    let total = 0;
    for (let k = 0; k < n * n; k++) if (m[k] > 0) total -= m[k] * Math.log(m[k]);
    return n > 0 ? total / n : 0;
  }
  function cosine(vectors) {
    const n = vectors.length;
    const norms = vectors.map((v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)));
    const out = Array.from({ length: n }, () => new Array(n).fill(0));
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        if (norms[i] === 0 || norms[j] === 0) continue;
        let dot = 0;
        const a = vectors[i], b = vectors[j];
        for (let k = 0; k < a.length; k++) dot += a[k] * b[k];
        out[i][j] = out[j][i] = dot / (norms[i] * norms[j]);
      }
    }
    return out;
  }

  // ---------- network ----------
  // With API keys configured the service answers 401; the key typed here stays in this page's memory.
  function withKey(options) {
    const key = $('api-key').value.trim();
    const headers = Object.assign({ accept: 'application/json' }, (options && options.headers) || {});
    if (key) headers.authorization = 'Bearer ' + key;
    return Object.assign({}, options || {}, { headers });
  }
  async function fetchJSON(url, options) {
    const response = await fetch(url, withKey(options));
    if (response.status === 401) $('key-row').hidden = false;
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
    if (!response.ok) {
      const detail = body && typeof body === 'object' && body.error ? body.error : null;
      const message = detail && typeof detail.message === 'string' ? detail.message
        : (text || response.statusText || 'The request failed.');
      const error = new Error(message);
      error.status = response.status;
      error.code = detail && detail.code ? String(detail.code) : '';
      throw error;
    }
    if (body === null) throw new Error('The service answered with something that is not JSON.');
    return body;
  }

  function modelInfo(m) {
    if (typeof m === 'string') return { name: m, ready: true };
    if (!m || typeof m !== 'object') return { name: '' };
    const arch = m.architecture || m.configuration || m.config || {};
    return {
      name: String(m.name ?? m.id ?? ''),
      layers: m.layers ?? arch.layers, heads: m.heads ?? arch.heads, ready: m.ready !== false,
    };
  }

  async function loadModels() {
    const select = $('model');
    try {
      const body = await fetchJSON('/models');
      const list = Array.isArray(body) ? body : (body.models || body.data || []);
      state.models = list.map(modelInfo).filter((m) => m.name);
      if (state.models.length) {
        select.replaceChildren(...state.models.map((m) => {
          const option = new Option(describeModel(m), m.name);
          option.disabled = !m.ready;
          return option;
        }));
        const ready = state.models.find((m) => m.ready);
        if (ready) select.value = ready.name;
      } else {
        select.replaceChildren(new Option('(service default)', ''));
      }
    } catch (error) {
      select.replaceChildren(new Option('(service default)', ''));
      showError(error);
    }
  }
  function describeModel(m) {
    const shape = Number.isInteger(m.layers) && Number.isInteger(m.heads)
      ? ` — ${m.layers} layers × ${m.heads} heads` : '';
    return m.name + shape + (m.ready ? '' : ' (not loaded)');
  }

  async function onSubmit(event) {
    event.preventDefault();
    const request = { text: $('text').value, attentions: true };
    if (state.serviceAnalysis) request.analysis = true;
    const model = $('model').value;
    if (model) request.model = model;
    clearError();
    setBusy(true);
    document.body.dataset.state = 'running';
    const generation = ++state.generation;
    const started = performance.now();
    try {
      let body;
      try {
        body = await postAttend(request);
      } catch (error) {
        // A service without the analysis option: ask again and compute rollout/entropy here.
        if (!request.analysis || error.status !== 400 || !/analysis/i.test(error.message)) throw error;
        state.serviceAnalysis = false;
        delete request.analysis;
        body = await postAttend(request);
      }
      if (generation !== state.generation) return;
      const fetched = performance.now();
      if (!(await render(body, generation))) return;
      const drawn = performance.now();
      $('status').textContent = `${state.n} tokens · ${state.layers.length} layers × `
        + `${state.heads.length} heads · service ${Math.round(fetched - started)} ms · `
        + `drawing ${Math.round(drawn - fetched)} ms`;
      document.body.dataset.state = 'ready';
    } catch (error) {
      if (generation !== state.generation) return;
      $('status').textContent = '';
      hideResults();
      showError(error);
      document.body.dataset.state = 'error';
    } finally {
      if (generation === state.generation) setBusy(false);
    }
  }
  function postAttend(request) {
    return fetchJSON('/attend', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  }
  function setBusy(busy) {
    $('run').disabled = busy;
    if (busy) $('status').textContent = 'Running…';
  }
  function showError(error) {
    $('error-code').textContent = error.status ? `${error.status}${error.code ? ' ' + error.code : ''}` : '';
    $('error-message').textContent = error.message;
    $('error').hidden = false;
  }
  function hideResults() {
    $('tokens-section').hidden = true;
    $('tabs').hidden = true;
    for (const section of document.querySelectorAll('section.view')) section.hidden = true;
  }
  function clearError() {
    $('error').hidden = true;
    $('error-code').textContent = '';
    $('error-message').textContent = '';
  }

  // ---------- rendering ----------
  async function render(body, generation) {
    const result = body && Array.isArray(body.results) ? body.results[0] : null;
    if (!result || !Array.isArray(result.tokens)) throw new Error('The response has no results.');
    const attentions = result.attentions;
    if (!Array.isArray(attentions) || !attentions.length || !Array.isArray(attentions[0])) {
      throw new Error('The response has no attention maps.');
    }
    const n = result.tokens.length;
    const headCount = attentions[0].length;
    state.tokens = result.tokens.map(String);
    state.ids = Array.isArray(result.input_ids) ? result.input_ids : [];
    state.n = n;
    state.layers = Array.isArray(body.layers) && body.layers.length === attentions.length
      ? body.layers : attentions.map((_, i) => i);
    state.heads = Array.isArray(body.heads) && body.heads.length === headCount
      ? body.heads : attentions[0].map((_, i) => i);
    state.raw = attentions;
    state.maps = attentions.map((layer) => layer.map((head) => flatten(head, n)));
    state.headOn = state.heads.map(() => true);
    state.layer = 0;
    state.selected = null;
    const analysis = result.analysis;
    if (analysis && Array.isArray(analysis.rollout) && Array.isArray(analysis.entropy)) {
      state.rollout = analysis.rollout;
      state.entropy = analysis.entropy;
      state.analysisSource = 'Computed by the service.';
    } else {
      state.rollout = rollout(state.maps, n);
      state.entropy = state.maps.map((layer) => layer.map((m) => entropy(m, n)));
      state.analysisSource = 'Computed in the browser (the service sent no analysis).';
    }
    state.similarity = Array.isArray(result.embeddings) && result.embeddings.length === n
      ? cosine(result.embeddings) : null;

    // The head view first, then the rest in slices so the page keeps answering input.
    renderTokens();
    renderHeadControls();
    renderHeadColumns();
    drawHeadView();
    $('tokens-section').hidden = false;
    $('tabs').hidden = false;
    showView(state.view);
    const steps = [...renderModelGrid(), drawRollout, drawEntropy, drawSimilarity];
    for (const step of steps) {
      await pause();
      if (generation !== state.generation) return false;
      step();
    }
    return true;
  }
  // Yields to the event loop (input, painting) without setTimeout's clamping.
  const channel = new MessageChannel();
  const waiting = [];
  channel.port1.onmessage = () => { const resolve = waiting.shift(); if (resolve) resolve(); };
  function pause() {
    return new Promise((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(0);
    });
  }

  function isSpecial(token) { return /^\[[A-Z]+\]$|^<\/?s>$|^<pad>$|^<unk>$/.test(token); }
  function label(i) {
    const t = state.tokens[i];
    return t.length > 14 ? t.slice(0, 13) + '…' : t;
  }

  function renderTokens() {
    $('tokens').replaceChildren(...state.tokens.map((t, i) => {
      const chip = document.createElement('span');
      chip.className = 'chip' + (isSpecial(t) ? ' special' : '') + (t.startsWith('##') ? ' piece' : '');
      chip.textContent = t;
      const index = document.createElement('small');
      index.textContent = String(i);
      chip.append(index);
      if (state.ids[i] !== undefined) chip.title = `position ${i}, id ${state.ids[i]}`;
      return chip;
    }));
  }

  function renderHeadControls() {
    const select = $('layer');
    select.replaceChildren(...state.layers.map((l, i) => new Option(`Layer ${l}`, String(i))));
    select.value = String(state.layer);
    const toggles = $('head-toggles');
    toggles.replaceChildren(...state.heads.map((h, i) => {
      const labelElement = document.createElement('label');
      labelElement.className = 'head-toggle';
      labelElement.title = `head ${h}`;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = state.headOn[i];
      box.dataset.head = String(i);
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.backgroundColor = headColor(i, state.heads.length);
      labelElement.append(box, swatch, document.createTextNode(String(h)));
      return labelElement;
    }));
  }

  function renderHeadColumns() {
    for (const [side, key] of [['left', 'q'], ['right', 'k']]) {
      $('head-' + side).replaceChildren(...state.tokens.map((t, i) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'tok' + (isSpecial(t) ? ' special' : '');
        b.textContent = t;
        b.dataset.index = String(i);
        b.dataset.side = key;
        return b;
      }));
    }
  }

  function setupCanvas(canvas, width, height) {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, Math.round(height * ratio));
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return ctx;
  }

  function drawHeadView() {
    const n = state.n;
    const width = HEAD_VIEW_WIDTH;
    const ctx = setupCanvas($('head-canvas'), width, n * ROW);
    const maps = state.maps[state.layer] || [];
    const selected = state.selected;
    const weights = new Float64Array(n);
    let shown = 0;
    ctx.lineCap = 'round';
    maps.forEach((m, h) => {
      if (!state.headOn[h]) return;
      shown += 1;
      // Fan the heads out a little inside each row so overlapping heads stay distinguishable.
      const spread = maps.length > 1 ? (h / (maps.length - 1) - 0.5) * (ROW - 8) : 0;
      const y = (i) => i * ROW + ROW / 2 + spread;
      ctx.strokeStyle = headColor(h, maps.length);
      for (let i = 0; i < n; i++) {
        if (selected && selected.side === 'q' && selected.index !== i) continue;
        for (let j = 0; j < n; j++) {
          if (selected && selected.side === 'k' && selected.index !== j) continue;
          const w = m[i * n + j];
          if (selected) weights[selected.side === 'q' ? j : i] += w;
          if (!(w >= (selected ? 0.004 : 0.02))) continue;
          ctx.globalAlpha = Math.min(1, selected ? 0.2 + 2 * w : 0.6 * w);
          ctx.lineWidth = selected ? 1 + 4 * w : 1;
          ctx.beginPath();
          ctx.moveTo(2, y(i));
          ctx.lineTo(width - 2, y(j));
          ctx.stroke();
        }
      }
    });
    ctx.globalAlpha = 1;
    // Shade the other column by the mean weight over the shown heads.
    for (const side of ['left', 'right']) {
      const key = side === 'left' ? 'q' : 'k';
      for (const b of $('head-' + side).children) {
        const i = Number(b.dataset.index);
        const isSelected = selected !== null && selected.side === key && selected.index === i;
        b.classList.toggle('selected', isSelected);
        b.setAttribute('aria-pressed', String(isSelected));
        const other = selected !== null && selected.side !== key && shown > 0;
        const w = other ? weights[i] / shown : 0;
        b.style.backgroundColor = other && !isSelected ? `rgba(47,95,208,${Math.min(0.6, w * 0.9)})` : '';
        b.title = other ? `${state.tokens[i]}: ${(w).toFixed(4)} (mean over shown heads)` : state.tokens[i];
      }
    }
  }

  function paintThumbnail(canvas, m, n) {
    canvas.width = n;
    canvas.height = n;
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(n, n);
    const data = image.data;
    for (let k = 0; k < m.length; k++) {
      const c = pick(BLUES, Math.sqrt(m[k]));
      data[4 * k] = c[0];
      data[4 * k + 1] = c[1];
      data[4 * k + 2] = c[2];
      data[4 * k + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  function renderModelGrid() {
    const grid = $('model-grid');
    const headCount = state.heads.length;
    grid.style.gridTemplateColumns = `auto repeat(${headCount}, var(--thumb))`;
    const cells = [document.createElement('span')];
    state.heads.forEach((h, i) => {
      const cell = document.createElement('span');
      cell.className = 'head-label';
      cell.textContent = `head ${h}`;
      cell.style.color = headColor(i, headCount);
      cells.push(cell);
    });
    state.maps.forEach((layer, l) => {
      const name = document.createElement('span');
      name.className = 'layer-label';
      name.textContent = `layer ${state.layers[l]}`;
      cells.push(name);
      layer.forEach((m, h) => {
        const canvas = document.createElement('canvas');
        canvas.className = 'heatmap';
        canvas.tabIndex = 0;
        canvas.dataset.layer = String(l);
        canvas.dataset.head = String(h);
        canvas.title = `layer ${state.layers[l]}, head ${state.heads[h]}`;
        canvas.setAttribute('role', 'button');
        canvas.setAttribute('aria-label', canvas.title);
        canvas.width = state.n;
        canvas.height = state.n;
        cells.push(canvas);
      });
    });
    grid.replaceChildren(...cells);
    // Painting is returned as one step per layer, run by render() between pauses.
    return state.maps.map((layer, l) => () => {
      layer.forEach((m, h) => {
        const canvas = grid.querySelector(`canvas[data-layer="${l}"][data-head="${h}"]`);
        if (canvas) paintThumbnail(canvas, m, state.n);
      });
    });
  }

  // A labelled heatmap with the exact value on hover.
  function drawMatrix(canvas, output, spec) {
    const { rows, cols, value, color } = spec;
    const cell = spec.cell;
    const font = `${Math.max(9, Math.min(12, cell - 2))}px system-ui, "DejaVu Sans", sans-serif`;
    const measure = canvas.getContext('2d');
    measure.font = font;
    const widest = (labels) => labels.reduce((w, t) => Math.max(w, measure.measureText(t).width), 0);
    const left = Math.ceil(widest(spec.rowLabels)) + 10;
    const top = Math.ceil(widest(spec.colLabels)) + 10;
    const width = left + cols * cell + 2;
    const height = top + rows * cell + 2;
    const ctx = setupCanvas(canvas, width, height);
    ctx.font = font;
    ctx.fillStyle = '#1d2330';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    spec.rowLabels.forEach((t, i) => ctx.fillText(t, left - 5, top + i * cell + cell / 2));
    ctx.textAlign = 'left';
    spec.colLabels.forEach((t, j) => {
      ctx.save();
      ctx.translate(left + j * cell + cell / 2, top - 5);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(t, 0, 0);
      ctx.restore();
    });
    const paint = (i, j, outlined) => {
      const c = color(value(i, j));
      const x = left + j * cell;
      const y = top + i * cell;
      ctx.fillStyle = css(c);
      ctx.fillRect(x, y, cell, cell);
      if (spec.text) {
        const luminance = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
        ctx.fillStyle = luminance > 140 ? '#111' : '#fff';
        ctx.textAlign = 'center';
        ctx.fillText(spec.text(value(i, j)), x + cell / 2, y + cell / 2);
      }
      if (outlined) {
        ctx.strokeStyle = '#e8590c';
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, cell - 2, cell - 2);
      }
    };
    if (spec.text) {
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) paint(i, j, false);
    } else {
      // One pixel per cell, scaled up: far cheaper than a fillRect per cell for 128 x 128 maps.
      const pixels = document.createElement('canvas');
      pixels.width = cols;
      pixels.height = rows;
      const pctx = pixels.getContext('2d');
      const image = pctx.createImageData(cols, rows);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const c = color(value(i, j));
          const k = 4 * (i * cols + j);
          image.data[k] = c[0];
          image.data[k + 1] = c[1];
          image.data[k + 2] = c[2];
          image.data[k + 3] = 255;
        }
      }
      pctx.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(pixels, left, top, cols * cell, rows * cell);
    }
    let hovered = null;
    const hover = (target) => {
      if (hovered) paint(hovered[0], hovered[1], false);
      hovered = target;
      if (target) paint(target[0], target[1], true);
      output.textContent = target ? spec.describe(target[0], target[1]) : '\u00a0';
    };
    canvas.onmousemove = (event) => {
      const box = canvas.getBoundingClientRect();
      const j = Math.floor((event.clientX - box.left - left) / cell);
      const i = Math.floor((event.clientY - box.top - top) / cell);
      const inside = i >= 0 && i < rows && j >= 0 && j < cols;
      if (inside && hovered && hovered[0] === i && hovered[1] === j) return;
      hover(inside ? [i, j] : null);
    };
    canvas.onmouseleave = () => hover(null);
    output.textContent = '\u00a0';
  }

  function cellSize(n, room, smallest, largest) {
    return Math.max(smallest, Math.min(largest, Math.floor(room / Math.max(1, n))));
  }
  function tokenLabels() { return state.tokens.map((_, i) => label(i)); }
  function quote(i) { return `“${state.tokens[i]}” (${i})`; }

  function openZoom(l, h) {
    const raw = state.raw[l][h];
    const n = state.n;
    $('zoom-title').textContent = `Layer ${state.layers[l]}, head ${state.heads[h]} — rows: queries, `
      + 'columns: keys, colour: √weight';
    const dialog = $('zoom');
    if (!dialog.open) dialog.showModal();
    drawMatrix($('zoom-canvas'), $('zoom-value'), {
      rows: n, cols: n, cell: cellSize(n, 720, 8, 40),
      rowLabels: tokenLabels(), colLabels: tokenLabels(),
      value: (i, j) => raw[i][j],
      color: (v) => pick(BLUES, Math.sqrt(v)),
      describe: (i, j) => `${quote(i)} → ${quote(j)}: ${raw[i][j]}`,
    });
  }

  function drawRollout() {
    const r = state.rollout;
    const n = state.n;
    $('rollout-source').textContent = state.analysisSource;
    drawMatrix($('rollout-canvas'), $('rollout-value'), {
      rows: n, cols: n, cell: cellSize(n, 640, 8, 40),
      rowLabels: tokenLabels(), colLabels: tokenLabels(),
      value: (i, j) => r[i][j],
      color: (v) => pick(BLUES, Math.sqrt(Math.max(0, v))),
      describe: (i, j) => `${quote(i)} ← ${quote(j)}: ${r[i][j]}`,
    });
  }

  function drawEntropy() {
    const e = state.entropy;
    const ceiling = Math.log(Math.max(2, state.n));
    $('entropy-max').textContent = `ln ${state.n} = ${ceiling.toFixed(3)}`;
    $('entropy-source').textContent = state.analysisSource;
    drawMatrix($('entropy-canvas'), $('entropy-value'), {
      rows: e.length, cols: state.heads.length, cell: 44,
      rowLabels: state.layers.map((l) => `layer ${l}`), colLabels: state.heads.map((h) => `head ${h}`),
      value: (i, j) => e[i][j],
      color: (v) => pick(VIRIDIS, v / ceiling),
      text: (v) => Number(v).toFixed(2),
      describe: (i, j) => `layer ${state.layers[i]}, head ${state.heads[j]}: ${e[i][j]} nats`,
    });
  }

  function drawSimilarity() {
    const s = state.similarity;
    const canvas = $('similarity-canvas');
    if (!s) {
      $('similarity-source').textContent = 'The response has no embeddings.';
      setupCanvas(canvas, 1, 1);
      return;
    }
    const n = state.n;
    $('similarity-source').textContent = 'Computed in the browser from the response’s embeddings.';
    drawMatrix(canvas, $('similarity-value'), {
      rows: n, cols: n, cell: cellSize(n, 640, 8, 40),
      rowLabels: tokenLabels(), colLabels: tokenLabels(),
      value: (i, j) => s[i][j],
      color: (v) => pick(RDBU, (v + 1) / 2),
      describe: (i, j) => `${quote(i)} · ${quote(j)}: ${s[i][j].toFixed(6)}`,
    });
  }

  function showView(view) {
    state.view = view;
    for (const tab of document.querySelectorAll('#tabs [role=tab]')) {
      tab.setAttribute('aria-selected', String(tab.dataset.view === view));
    }
    for (const section of document.querySelectorAll('section.view')) {
      section.hidden = section.id !== 'view-' + view;
    }
  }

  // ---------- events ----------
  function onTokenClick(event) {
    const b = event.target.closest('button.tok');
    if (!b) return;
    const index = Number(b.dataset.index);
    const side = b.dataset.side;
    const same = state.selected && state.selected.side === side && state.selected.index === index;
    state.selected = same ? null : { side, index };
    drawHeadView();
  }

  function init() {
    $('form').addEventListener('submit', onSubmit);
    $('text').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('form').requestSubmit();
    });
    $('tabs').addEventListener('click', (event) => {
      const tab = event.target.closest('[role=tab]');
      if (tab) showView(tab.dataset.view);
    });
    $('layer').addEventListener('change', () => {
      state.layer = Number($('layer').value);
      drawHeadView();
    });
    $('head-toggles').addEventListener('change', (event) => {
      const box = event.target;
      if (box.dataset.head === undefined) return;
      state.headOn[Number(box.dataset.head)] = box.checked;
      drawHeadView();
    });
    const setAll = (on) => {
      state.headOn = state.heads.map(() => on);
      for (const box of $('head-toggles').querySelectorAll('input')) box.checked = on;
      drawHeadView();
    };
    $('heads-all').addEventListener('click', () => setAll(true));
    $('heads-none').addEventListener('click', () => setAll(false));
    $('head-left').addEventListener('click', onTokenClick);
    $('head-right').addEventListener('click', onTokenClick);
    const openFrom = (event) => {
      const canvas = event.target.closest('canvas.heatmap');
      if (canvas) openZoom(Number(canvas.dataset.layer), Number(canvas.dataset.head));
    };
    $('model-grid').addEventListener('click', openFrom);
    $('model-grid').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') openFrom(event);
    });
    $('zoom-close').addEventListener('click', () => $('zoom').close());
    $('api-key').addEventListener('change', () => {
      clearError();
      loadModels();
    });
    loadModels();
  }

  // The browser-side math, for the browser test (compared with the numpy fixture).
  window.attendMath = Object.freeze({ rollout, entropy, cosine });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

