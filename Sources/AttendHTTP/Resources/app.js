'use strict';
(function () {
  const ROW = 22; // px per token row in the head view (matches --row in app.css)
  const HEAD_VIEW_WIDTH = 280;
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
    '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#ad494a', '#637939', '#e7ba52', '#7b4173', '#3182bd'];
  const $ = (id) => document.getElementById(id);

  // Above this many bytes of attention maps (float32) the page asks for float16 and fetches a selected row's
  // exact float32 values on demand.
  const FLOAT32_MAP_BYTES = 16 * 1024 * 1024;
  const SAFETENSORS = 'application/vnd.safetensors';

  const state = {
    models: [], tokens: [], ids: [], n: 0, layers: [], heads: [], maps: [],
    layer: 0, headOn: [], selected: null, rollout: null, entropy: null, similarity: null,
    analysisSource: '', view: 'map', serviceAnalysis: true, generation: 0,
    request: null, dtype: 'float32', transfer: '', mapLayer: 0, mapHead: 0, row: null, exactRows: new Map(),
    rowGeneration: 0, causal: false,
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
  // [count][n] nested arrays as one row-major Float32Array.
  function flatten(rows, count, n) {
    const out = new Float32Array(count * n);
    for (let i = 0; i < count; i++) {
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

  // ---------- safetensors ----------
  // The service's binary answer (README "Binary output"): an 8-byte little-endian header length, a JSON header
  // (`__metadata__` plus every tensor's dtype, shape and data_offsets), then the raw little-endian data.
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let halfTable = null;
  function halfToFloat(bits) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    if (exponent === 0) return sign * fraction * 2 ** -24;
    if (exponent === 31) return fraction ? NaN : sign * Infinity;
    return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  function decodeHalf(bytes, count) {
    if (!halfTable) {
      halfTable = new Float32Array(65536);
      for (let b = 0; b < 65536; b++) halfTable[b] = halfToFloat(b);
    }
    const out = new Float32Array(count);
    if (littleEndian && bytes.byteOffset % 2 === 0) {
      const words = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
      for (let k = 0; k < count; k++) out[k] = halfTable[words[k]];
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
      for (let k = 0; k < count; k++) out[k] = halfTable[view.getUint16(2 * k, true)];
    }
    return out;
  }
  function decodeTensor(buffer, start, info) {
    const count = info.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = info.data_offsets;
    const at = start + begin;
    switch (info.dtype) {
      case 'F32': {
        if (end - begin !== count * 4) throw new Error('safetensors: wrong size for a F32 tensor');
        if (littleEndian && at % 4 === 0) return new Float32Array(buffer, at, count);
        const view = new DataView(buffer, at, count * 4);
        return Float32Array.from({ length: count }, (_, k) => view.getFloat32(4 * k, true));
      }
      case 'F16':
        if (end - begin !== count * 2) throw new Error('safetensors: wrong size for a F16 tensor');
        return decodeHalf(new Uint8Array(buffer, at, count * 2), count);
      case 'BF16': {
        const view = new DataView(buffer, at, count * 2);
        const out = new Float32Array(count);
        const word = new DataView(new ArrayBuffer(4));
        for (let k = 0; k < count; k++) {
          word.setUint32(0, view.getUint16(2 * k, true) << 16);
          out[k] = word.getFloat32(0);
        }
        return out;
      }
      case 'I32': {
        const view = new DataView(buffer, at, count * 4);
        return Int32Array.from({ length: count }, (_, k) => view.getInt32(4 * k, true));
      }
      default:
        throw new Error(`safetensors: unsupported dtype ${info.dtype}`);
    }
  }
  // With `lazy`, each tensor's `data` is a function that decodes it (so a caller can pause between tensors).
  function parseSafetensors(buffer, lazy) {
    if (buffer.byteLength < 8) throw new Error('safetensors: the answer is shorter than its header length');
    const view = new DataView(buffer);
    const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
    if (8 + length > buffer.byteLength) throw new Error('safetensors: the header runs past the end');
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, length)));
    const metadata = header.__metadata__ || {};
    const tensors = {};
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const decode = () => decodeTensor(buffer, 8 + length, info);
      tensors[name] = { shape: info.shape, dtype: info.dtype, data: lazy ? decode : decode() };
    }
    return { metadata, tensors };
  }

  // ---------- network ----------
  // With API keys configured the service answers 401; the key typed here stays in this page's memory.
  function withKey(options) {
    const key = $('api-key').value.trim();
    const headers = Object.assign({ accept: 'application/json' }, (options && options.headers) || {});
    if (key) headers.authorization = 'Bearer ' + key;
    return Object.assign({}, options || {}, { headers });
  }
  function failure(response, text) {
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
    const detail = body && typeof body === 'object' && body.error ? body.error : null;
    const message = detail && typeof detail.message === 'string' ? detail.message
      : (text || response.statusText || 'The request failed.');
    const error = new Error(message);
    error.status = response.status;
    error.code = detail && detail.code ? String(detail.code) : '';
    return error;
  }
  async function fetchJSON(url, options) {
    const response = await fetch(url, withKey(options));
    if (response.status === 401) $('key-row').hidden = false;
    const text = await response.text();
    if (!response.ok) throw failure(response, text);
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
    if (body === null) throw new Error('The service answered with something that is not JSON.');
    return body;
  }
  // POST /attend preferring the binary answer; a service (or harness) that answers JSON is read as JSON.
  async function postAttend(request, binary) {
    const response = await fetch('/attend', withKey({
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: binary ? `${SAFETENSORS}, application/json;q=0.5` : 'application/json',
      },
      body: JSON.stringify(request),
    }));
    if (response.status === 401) $('key-row').hidden = false;
    const type = (response.headers.get('content-type') || '').toLowerCase();
    if (!response.ok) throw failure(response, await response.text());
    if (type.startsWith(SAFETENSORS)) {
      const buffer = await response.arrayBuffer();
      return { binary: parseSafetensors(buffer, true), bytes: buffer.byteLength };
    }
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
    if (body === null) throw new Error('The service answered with something that is not JSON.');
    return { json: body, bytes: text.length };
  }

  function modelInfo(m) {
    if (typeof m === 'string') return { name: m, ready: true, random: false };
    if (!m || typeof m !== 'object') return { name: '' };
    const arch = m.architecture || m.configuration || m.config || {};
    const random = typeof m.random_weights === 'boolean' ? m.random_weights : m.source === 'seeded';
    return {
      name: String(m.name ?? m.id ?? ''),
      layers: m.layers ?? arch.layers, heads: m.heads ?? arch.heads, ready: m.ready !== false, random,
      maxLength: m.max_length, family: typeof m.family === 'string' ? m.family : '',
      causal: m.causal === true || arch.causal === true,
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
        // A real model first: random weights answer no question about language.
        const ready = state.models.find((m) => m.ready && !m.random) || state.models.find((m) => m.ready);
        if (ready) select.value = ready.name;
      } else {
        select.replaceChildren(new Option('(service default)', ''));
      }
    } catch (error) {
      select.replaceChildren(new Option('(service default)', ''));
      showError(error);
    }
    updateModelNote();
  }
  function describeModel(m) {
    const shape = Number.isInteger(m.layers) && Number.isInteger(m.heads)
      ? ` — ${m.layers} layers × ${m.heads} heads` : '';
    const kind = [m.family, m.causal ? 'causal' : ''].filter(Boolean).join(', ');
    return m.name + (kind ? ` [${kind}]` : '') + shape + (m.random ? ' (random weights)' : '')
      + (m.ready ? '' : ' (not loaded)');
  }
  function selectedModel() {
    const name = $('model').value;
    return state.models.find((m) => m.name === name) || null;
  }
  function updateModelNote() {
    const model = selectedModel();
    $('model-note').hidden = !(model && model.random);
    // The family and a "causal" badge: a causal model's maps are lower-triangular (drawn masked above).
    $('model-family').hidden = !(model && model.family);
    $('model-family').textContent = model && model.family ? model.family : '';
    $('model-causal').hidden = !(model && model.causal);
  }

  // ---------- submitting ----------
  // The number of tokens, so the page can choose float32 or float16 before asking for every map. A service
  // without /tokenize (or an input it refuses) goes straight to /attend, which reports the problem.
  async function countTokens(request) {
    const body = { text: request.text };
    if (request.model) body.model = request.model;
    try {
      const answer = await fetchJSON('/tokenize', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      const tokens = answer && Array.isArray(answer.results) && answer.results[0] && answer.results[0].tokens;
      return Array.isArray(tokens) ? tokens.length : null;
    } catch (_) {
      return null;
    }
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
      const n = await countTokens(request);
      const info = selectedModel();
      const mapBytes = n && info && info.layers && info.heads ? info.layers * info.heads * n * n * 4 : 0;
      const dtype = mapBytes > FLOAT32_MAP_BYTES ? 'float16' : 'float32';
      if (dtype !== 'float32') request.dtype = dtype;
      let answer;
      try {
        answer = await postAttend(request, true);
      } catch (error) {
        // A service without the analysis option: ask again and compute rollout/entropy here.
        if (!request.analysis || error.status !== 400 || !/analysis/i.test(error.message)) throw error;
        state.serviceAnalysis = false;
        delete request.analysis;
        answer = await postAttend(request, true);
      }
      if (generation !== state.generation) return;
      const fetched = performance.now();
      const result = answer.binary ? await fromBinary(answer.binary) : fromJSON(answer.json);
      if (generation !== state.generation) return;
      state.request = { text: request.text, model: request.model };
      state.causal = Boolean(info && info.causal);
      state.dtype = answer.binary ? (answer.binary.metadata.dtype || 'float32') : 'json';
      state.transfer = answer.binary ? `binary ${state.dtype}` : 'JSON';
      state.bytes = answer.bytes;
      if (!(await render(result, generation))) return;
      const drawn = performance.now();
      window.attendTimings = { service: fetched - started, drawing: drawn - fetched, bytes: answer.bytes,
        transfer: state.transfer, n: state.n };
      $('status').textContent = `${state.n} tokens · ${state.layers.length} layers × `
        + `${state.heads.length} heads · ${state.transfer}, ${megabytes(answer.bytes)} · `
        + `service ${Math.round(fetched - started)} ms · drawing ${Math.round(drawn - fetched)} ms`;
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
  function megabytes(bytes) {
    return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
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

  // ---------- answers, one shape ----------
  // { tokens, ids, layers, heads, maps[l][h]: Float32Array(rows·n), rows, rollout: Float32Array(n·n) | null,
  //   entropy: [l][h] | null, embeddings: [Float32Array(d)] | null }
  async function fromBinary(file) {
    const meta = file.metadata;
    const parse = (key) => { try { return JSON.parse(meta[key]); } catch (_) { return null; } };
    const tokens = parse('results.0.tokens');
    if (!Array.isArray(tokens)) throw new Error('The binary answer has no tokens in its metadata.');
    const n = tokens.length;
    const layers = parse('layers') || [];
    const heads = parse('heads') || [];
    const rows = parse('results.0.rows');
    const rowCount = Array.isArray(rows) ? rows.length : n;
    const t = {};
    // One tensor at a time, yielding between them: float16 maps of 512 tokens are millions of values.
    for (const [name, tensor] of Object.entries(file.tensors)) {
      t[name] = Object.assign({}, tensor, { data: typeof tensor.data === 'function' ? tensor.data() : tensor.data });
      await pause();
    }
    const maps = [];
    for (const layer of layers) {
      const tensor = t[`results.0.attentions.${layer}`];
      if (!tensor) continue;
      const size = rowCount * n;
      maps.push(heads.map((_, h) => tensor.data.subarray(h * size, (h + 1) * size)));
    }
    const embedding = t['results.0.embeddings'];
    const d = embedding ? embedding.shape[1] : 0;
    const rollout = t['results.0.analysis.rollout'];
    const entropy = t['results.0.analysis.entropy'];
    return {
      tokens, ids: parse('results.0.input_ids') || [], layers, heads, maps, rows,
      rollout: rollout ? rollout.data : null,
      entropy: entropy ? Array.from({ length: entropy.shape[0] },
        (_, l) => Array.from(entropy.data.subarray(l * entropy.shape[1], (l + 1) * entropy.shape[1]))) : null,
      embeddings: embedding ? Array.from({ length: n }, (_, i) => embedding.data.subarray(i * d, (i + 1) * d))
        : null,
    };
  }
  function fromJSON(body) {
    const result = body && Array.isArray(body.results) ? body.results[0] : null;
    if (!result || !Array.isArray(result.tokens)) throw new Error('The response has no results.');
    const attentions = Array.isArray(result.attentions) ? result.attentions : [];
    const n = result.tokens.length;
    const headCount = attentions.length && Array.isArray(attentions[0]) ? attentions[0].length : 0;
    const rows = Array.isArray(result.rows) ? result.rows : null;
    const analysis = result.analysis;
    return {
      tokens: result.tokens, ids: Array.isArray(result.input_ids) ? result.input_ids : [],
      layers: Array.isArray(body.layers) && body.layers.length === attentions.length
        ? body.layers : attentions.map((_, i) => i),
      heads: Array.isArray(body.heads) && body.heads.length === headCount
        ? body.heads : Array.from({ length: headCount }, (_, i) => i),
      maps: attentions.map((layer) => layer.map((head) => flatten(head, head.length, n))),
      rows,
      rollout: analysis && Array.isArray(analysis.rollout) ? flatten(analysis.rollout, n, n) : null,
      entropy: analysis && Array.isArray(analysis.entropy) ? analysis.entropy : null,
      embeddings: Array.isArray(result.embeddings) && result.embeddings.length === n ? result.embeddings : null,
    };
  }

  // ---------- rendering ----------
  async function render(result, generation) {
    if (!result.maps.length || !result.maps[0].length) throw new Error('The response has no attention maps.');
    const n = result.tokens.length;
    state.tokens = result.tokens.map(String);
    state.ids = result.ids;
    state.n = n;
    state.layers = result.layers;
    state.heads = result.heads;
    state.maps = result.maps;
    state.headOn = state.heads.map(() => true);
    state.layer = 0;
    state.selected = null;
    state.mapLayer = Math.min(state.mapLayer, state.layers.length - 1);
    state.mapHead = Math.min(state.mapHead, state.heads.length - 1);
    state.row = null;
    state.exactRows = new Map();
    state.rowGeneration += 1;
    if (result.rollout && result.entropy) {
      state.rollout = result.rollout;
      state.entropy = result.entropy;
      state.analysisSource = 'Computed by the service.';
    } else {
      state.rollout = rollout(state.maps, n).reduce((out, row, i) => { out.set(row, i * n); return out; },
        new Float32Array(n * n));
      state.entropy = state.maps.map((layer) => layer.map((m) => entropy(m, n)));
      state.analysisSource = 'Computed in the browser (the service sent no analysis).';
    }
    state.embeddings = result.embeddings;
    state.similarity = null;
    contrib.key = '';
    contrib.answer = null;
    contrib.row = null;
    contrib.generation += 1;

    // The visible view first, then the rest in slices so the page keeps answering input.
    renderTokens();
    renderHeadControls();
    renderMapControls();
    $('tokens-section').hidden = false;
    $('tabs').hidden = false;
    showView(state.view);
    drawMap();
    drawArc();
    const steps = [renderHeadColumns, drawHeadView, ...renderModelGrid(), drawRollout, drawEntropy,
      drawSimilarity];
    const timings = [];
    for (const step of steps) {
      await pause();
      if (generation !== state.generation) return false;
      const started = performance.now();
      step();
      timings.push([step.name || 'step', Math.round(performance.now() - started)]);
    }
    window.attendSteps = timings;
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
    return t.length > 12 ? t.slice(0, 11) + '…' : t;
  }
  // The shortest decimal that reads back as the same float32 (as the service's JSON writes it).
  function formatWeight(v) {
    if (!Number.isFinite(v)) return String(v);
    const f = Math.fround(v);
    for (let digits = 1; digits <= 9; digits++) {
      const text = f.toPrecision(digits);
      if (Math.fround(Number(text)) === f) return String(Number(text));
    }
    return String(f);
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

  function renderMapControls() {
    $('map-layer').replaceChildren(...state.layers.map((l, i) => new Option(`Layer ${l}`, String(i))));
    $('map-layer').value = String(state.mapLayer);
    $('map-head').replaceChildren(...state.heads.map((h, i) => new Option(`Head ${h}`, String(i))));
    $('map-head').value = String(state.mapHead);
    const previous = $('contrib-layer').value;
    $('contrib-layer').replaceChildren(...state.layers.map((l, i) => new Option(`Layer ${l}`, String(i))),
      new Option('rolled out (all layers)', 'rollout'));
    $('contrib-layer').value = previous && previous !== 'rollout' && Number(previous) < state.layers.length
      ? previous : 'rollout';
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
    // Without a selection long inputs show only the strong links (a 512-token map has 262,144).
    const floor = selected ? 0.004 : (n > 128 ? 0.05 : 0.02);
    const BUCKETS = 12;
    let shown = 0;
    ctx.lineCap = 'round';
    maps.forEach((m, h) => {
      if (!state.headOn[h]) return;
      shown += 1;
      // Fan the heads out a little inside each row so overlapping heads stay distinguishable.
      const spread = maps.length > 1 ? (h / (maps.length - 1) - 0.5) * (ROW - 8) : 0;
      const y = (i) => i * ROW + ROW / 2 + spread;
      // One path per weight bucket: thousands of lines cost a few strokes, not one stroke each.
      const paths = Array.from({ length: BUCKETS }, () => new Path2D());
      const used = new Uint8Array(BUCKETS);
      for (let i = 0; i < n; i++) {
        if (selected && selected.side === 'q' && selected.index !== i) continue;
        for (let j = 0; j < n; j++) {
          if (selected && selected.side === 'k' && selected.index !== j) continue;
          const w = m[i * n + j];
          if (selected) weights[selected.side === 'q' ? j : i] += w;
          if (!(w >= floor)) continue;
          const b = Math.min(BUCKETS - 1, Math.floor(w * BUCKETS));
          paths[b].moveTo(2, y(i));
          paths[b].lineTo(width - 2, y(j));
          used[b] = 1;
        }
      }
      ctx.strokeStyle = headColor(h, maps.length);
      for (let b = 0; b < BUCKETS; b++) {
        if (!used[b]) continue;
        const w = (b + 0.5) / BUCKETS;
        ctx.globalAlpha = Math.min(1, selected ? 0.2 + 2 * w : 0.15 + 0.6 * w);
        ctx.lineWidth = selected ? 1 + 4 * w : 1;
        ctx.stroke(paths[b]);
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

  // Paints an n×n map (or rows×cols) into `size`×`size` pixels of an ImageData: one cell per pixel when it
  // fits, otherwise each pixel the maximum of the block of cells it covers (so a sharp peak stays visible).
  function mapImage(ctx, rows, cols, width, height, value, color) {
    const image = ctx.createImageData(width, height);
    const data = image.data;
    const rowStart = (p) => Math.floor(p * rows / height);
    const colStart = (q) => Math.floor(q * cols / width);
    for (let p = 0; p < height; p++) {
      const i0 = rowStart(p);
      const i1 = Math.max(i0 + 1, rowStart(p + 1));
      for (let q = 0; q < width; q++) {
        const j0 = colStart(q);
        const j1 = Math.max(j0 + 1, colStart(q + 1));
        let v = value(i0, j0);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) { const x = value(i, j); if (x > v) v = x; }
        const c = color(v);
        const k = 4 * (p * width + q);
        data[k] = c[0];
        data[k + 1] = c[1];
        data[k + 2] = c[2];
        data[k + 3] = 255;
      }
    }
    return image;
  }

  // Causal attention: query i sees keys j <= i only, so the cells above the diagonal are not weights of 0 but
  // masked. They are covered with grey hatching (never a colour of the scale), cell edges followed exactly.
  function isMasked(i, j) { return state.causal && j > i; }
  let hatch = null;
  function hatchPattern(ctx) {
    if (!hatch) {
      hatch = document.createElement('canvas');
      hatch.width = 6;
      hatch.height = 6;
      const h = hatch.getContext('2d');
      h.fillStyle = 'rgb(228,228,228)';
      h.fillRect(0, 0, 6, 6);
      h.strokeStyle = 'rgb(170,170,170)';
      h.lineWidth = 1;
      h.beginPath();
      h.moveTo(0, 6);
      h.lineTo(6, 0);
      h.moveTo(-1, 1);
      h.lineTo(1, -1);
      h.moveTo(5, 7);
      h.lineTo(7, 5);
      h.stroke();
    }
    return ctx.createPattern(hatch, 'repeat');
  }
  // Hatches the cells (i, j), j > i, of an n×n map drawn at (x, y) with size width×height (canvas pixels); `flat`
  // fills them with the hatching's light grey instead (thumbnails: a few pixels per cell, scaled up by CSS).
  function hatchUpper(ctx, x, y, width, height, n, flat) {
    if (n < 2) return;
    const cw = width / n, ch = height / n;
    const px = (j) => Math.round(x + j * cw), py = (i) => Math.round(y + i * ch);
    ctx.save();
    ctx.beginPath();
    ctx.moveTo(px(1), py(0));
    ctx.lineTo(px(n), py(0));
    ctx.lineTo(px(n), py(n - 1));
    for (let i = n - 2; i >= 0; i--) {
      ctx.lineTo(px(i + 1), py(i + 1));
      ctx.lineTo(px(i + 1), py(i));
    }
    ctx.closePath();
    ctx.fillStyle = flat ? 'rgb(228,228,228)' : hatchPattern(ctx);
    ctx.fill();
    ctx.restore();
  }

  function paintThumbnail(canvas, m, n) {
    const ratio = window.devicePixelRatio || 1;
    const size = Math.min(n, Math.ceil(76 * ratio));
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d');
    ctx.putImageData(mapImage(ctx, n, n, size, size, (i, j) => m[i * n + j], (v) => pick(BLUES, Math.sqrt(v))),
      0, 0);
    if (state.causal) hatchUpper(ctx, 0, 0, size, size, n, true);
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
        canvas.width = 1;
        canvas.height = 1;
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

  // A token × token heatmap on one canvas at the screen's pixel density: integer device pixels per cell when
  // the map fits, downsampled (block maximum) when it does not; every k-th token labelled so labels stay
  // readable, the hovered row's and column's full labels drawn over the margins; hover shows the exact value,
  // click selects a row (spec.onSelect).
  function drawHeatmap(canvas, output, spec) {
    const { rows, cols, value, color } = spec;
    const ratio = window.devicePixelRatio || 1;
    const font = '11px system-ui, "DejaVu Sans", sans-serif';
    const bold = 'bold 11px system-ui, "DejaVu Sans", sans-serif';
    const measure = canvas.getContext('2d');
    measure.font = font;
    const widest = (labels) => labels.reduce((w, t) => Math.max(w, measure.measureText(t).width), 0);
    // Margins wide enough for the hovered cell's full labels (drawn in bold over them).
    const full = (count, name) => {
      measure.font = bold;
      let w = 0;
      for (let k = 0; k < count; k++) w = Math.max(w, measure.measureText(spec[name](k)).width + 8);
      measure.font = font;
      return w;
    };
    const left = Math.ceil(Math.min(170, Math.max(widest(spec.rowLabels), full(rows, 'fullRowLabel')))) + 10;
    const top = Math.ceil(Math.min(170, Math.max(widest(spec.colLabels), full(cols, 'fullColLabel')))) + 10;
    const room = Math.max(32, Math.floor(spec.room * ratio)); // device pixels for the map
    const largest = Math.max(1, Math.floor((spec.maxCell || 40) * ratio));
    const cell = Math.min(largest, Math.floor(room / Math.max(rows, cols)));
    const mapWidth = cell >= 1 ? cols * cell : Math.round(room * Math.min(1, cols / rows));
    const mapHeight = cell >= 1 ? rows * cell : Math.round(room * Math.min(1, rows / cols));
    const x0 = Math.round(left * ratio);
    const y0 = Math.round(top * ratio);
    canvas.width = x0 + mapWidth + Math.round(4 * ratio);
    canvas.height = y0 + mapHeight + Math.round(4 * ratio);
    canvas.style.width = canvas.width / ratio + 'px';
    canvas.style.height = canvas.height / ratio + 'px';
    const ctx = canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    // The map: one pixel per cell scaled by an integer (crisp), or one pixel per block.
    if (cell >= 1) {
      const pixels = document.createElement('canvas');
      pixels.width = cols;
      pixels.height = rows;
      const pctx = pixels.getContext('2d');
      pctx.putImageData(mapImage(pctx, rows, cols, cols, rows, value, color), 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(pixels, x0, y0, mapWidth, mapHeight);
    } else {
      ctx.putImageData(mapImage(ctx, rows, cols, mapWidth, mapHeight, value, color), x0, y0);
    }
    if (spec.masked && rows === cols) hatchUpper(ctx, x0, y0, mapWidth, mapHeight, rows);
    // Where the map lies (canvas pixels) and whether its upper triangle is masked, for tests and tools.
    canvas.dataset.map = JSON.stringify([x0, y0, mapWidth, mapHeight, rows, cols]);
    canvas.dataset.masked = spec.masked ? 'causal' : '';
    // Labels in CSS pixels: every k-th, so that they never overlap.
    const rowPitch = mapHeight / ratio / rows;
    const colPitch = mapWidth / ratio / cols;
    const rowEvery = Math.max(1, Math.ceil(13 / rowPitch));
    const colEvery = Math.max(1, Math.ceil(13 / colPitch));
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = font;
    ctx.fillStyle = '#1d2330';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i < rows; i += rowEvery) ctx.fillText(spec.rowLabels[i], left - 5, top + (i + 0.5) * rowPitch);
    ctx.textAlign = 'left';
    for (let j = 0; j < cols; j += colEvery) {
      ctx.save();
      ctx.translate(left + (j + 0.5) * colPitch, top - 5);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(spec.colLabels[j], 0, 0);
      ctx.restore();
    }
    const base = document.createElement('canvas');
    base.width = canvas.width;
    base.height = canvas.height;
    base.getContext('2d').drawImage(canvas, 0, 0);

    const marker = (i, j, stroke) => {
      // At least a few pixels wide, so a one-pixel cell stays visible.
      const w = Math.max(3, colPitch), h = Math.max(3, rowPitch);
      const x = left + (j + 0.5) * colPitch - w / 2, y = top + (i + 0.5) * rowPitch - h / 2;
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x, y, w, h);
    };
    const tag = (text, x, y, align, rotate) => {
      ctx.save();
      ctx.translate(x, y);
      if (rotate) ctx.rotate(-Math.PI / 2);
      ctx.font = bold;
      const w = ctx.measureText(text).width + 6;
      // Keep the tag inside the canvas (it is drawn leftwards, or upwards when rotated, from its anchor).
      const room = rotate ? y : x;
      if (w > room) ctx.translate(rotate ? room - w : w - room, 0); // rotated: its x axis points up
      ctx.fillStyle = '#fff3e0';
      ctx.fillRect(align === 'right' ? -w : 0, -8, w, 16);
      ctx.fillStyle = '#1d2330';
      ctx.textAlign = align;
      ctx.fillText(text, align === 'right' ? -3 : 3, 0);
      ctx.restore();
    };
    let hovered = null;
    const repaint = () => {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(base, 0, 0);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const selected = spec.selectedRow ? spec.selectedRow() : null;
      if (selected !== null && selected !== undefined && selected < rows) {
        ctx.strokeStyle = '#e8590c';
        ctx.lineWidth = 1;
        ctx.strokeRect(left - 0.5, top + selected * rowPitch - 0.5, mapWidth / ratio + 1, Math.max(1, rowPitch) + 1);
        if (!hovered || hovered[0] !== selected) tag(spec.fullRowLabel(selected), left - 2, top + (selected + 0.5) * rowPitch, 'right', false);
      }
      if (hovered) {
        const [i, j] = hovered;
        marker(i, j, '#e8590c');
        tag(spec.fullRowLabel(i), left - 2, top + (i + 0.5) * rowPitch, 'right', false);
        tag(spec.fullColLabel(j), left + (j + 0.5) * colPitch, top - 2, 'left', true);
      }
    };
    const show = (target) => {
      hovered = target;
      repaint();
      if (target) {
        output.textContent = spec.describe(target[0], target[1]);
        output.dataset.row = String(target[0]);
        output.dataset.col = String(target[1]);
        output.dataset.value = String(value(target[0], target[1]));
      } else {
        output.textContent = '\u00a0';
        delete output.dataset.row;
        delete output.dataset.col;
        delete output.dataset.value;
      }
    };
    const cellAt = (event) => {
      const box = canvas.getBoundingClientRect();
      const x = (event.clientX - box.left) * canvas.width / box.width;
      const y = (event.clientY - box.top) * canvas.height / box.height;
      const j = Math.floor((x - x0) / mapWidth * cols);
      const i = Math.floor((y - y0) / mapHeight * rows);
      return i >= 0 && i < rows && j >= 0 && j < cols ? [i, j] : null;
    };
    canvas.onmousemove = (event) => {
      const target = cellAt(event);
      if (target && hovered && hovered[0] === target[0] && hovered[1] === target[1]) return;
      show(target);
    };
    canvas.onmouseleave = () => show(null);
    canvas.onclick = spec.onSelect ? (event) => {
      const target = cellAt(event);
      if (target) spec.onSelect(target[0]);
      repaint();
    } : null;
    canvas.style.cursor = spec.onSelect ? 'crosshair' : 'default';
    show(null);
    return { repaint };
  }

  // A labelled heatmap with the exact value on hover, for small matrices with the value written in each cell.
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
      const luminance = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
      ctx.fillStyle = luminance > 140 ? '#111' : '#fff';
      ctx.textAlign = 'center';
      ctx.fillText(spec.text(value(i, j)), x + cell / 2, y + cell / 2);
      if (outlined) {
        ctx.strokeStyle = '#e8590c';
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, cell - 2, cell - 2);
      }
    };
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) paint(i, j, false);
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

  function tokenLabels() { return state.tokens.map((_, i) => label(i)); }
  function quote(i) { return `“${state.tokens[i]}” (${i})`; }
  function tokenSpec(room) {
    return {
      rows: state.n, cols: state.n, room, maxCell: 40, rowLabels: tokenLabels(), colLabels: tokenLabels(),
      fullRowLabel: quote, fullColLabel: quote,
    };
  }
  function roomFor(element, fallback) {
    const width = element && element.clientWidth ? element.clientWidth - 150 : fallback;
    return Math.max(200, Math.min(fallback, width));
  }

  // The heatmap view: the selected layer and head, the whole n×n map.
  let mapHandle = null;
  function drawMap() {
    const l = state.mapLayer, h = state.mapHead;
    const m = state.maps[l] && state.maps[l][h];
    if (!m) return;
    const n = state.n;
    let largest = 0;
    for (let k = 0; k < m.length; k++) if (m[k] > largest) largest = m[k];
    if (!(largest > 0)) largest = 1;
    $('map-scale').textContent = formatWeight(largest);
    $('map-source').textContent = state.dtype === 'float16'
      ? `Maps fetched in binary as float16 (${megabytes(state.bytes)}); hover values are float16, a selected `
        + 'row is fetched again as exact float32 ("rows").'
      : `Maps fetched ${state.transfer === 'JSON' ? 'as JSON' : 'in binary as float32'} `
        + `(${megabytes(state.bytes)}); values are exact.`;
    mapHandle = drawHeatmap($('map-canvas'), $('map-value'), Object.assign(tokenSpec(Math.min(roomFor($('view-map'), 1100),
      Math.max(400, (window.innerHeight || 800) - 200))), {
      value: (i, j) => m[i * n + j],
      // Scaled to this map's largest weight: long inputs spread attention thin (1/512 is pale on an absolute scale).
      color: (v) => pick(BLUES, Math.sqrt(v / largest)),
      masked: state.causal,
      describe: (i, j) => `${quote(i)} → ${quote(j)}: `
        + (isMasked(i, j) ? 'masked (causal)' : formatWeight(m[i * n + j]))
        + ` · layer ${state.layers[l]}, head ${state.heads[h]}`
        + (state.dtype === 'float16' && !isMasked(i, j) ? ' (float16)' : ''),
      selectedRow: () => state.row,
      onSelect: selectRow,
    }));
  }

  // A query row: drawn from the loaded maps; with float16 maps its exact float32 values are fetched from the
  // service for every layer and head at once ("rows": [i]) and the arc view redrawn from them.
  function selectRow(i) {
    state.row = i;
    drawArc();
    if (state.dtype !== 'float16' || state.exactRows.has(i)) return;
    fetchRow(i);
  }
  async function fetchRow(i) {
    const generation = state.rowGeneration;
    const request = Object.assign({}, state.request, { attentions: true, rows: [i], pooling: 'none' });
    $('arc-status').textContent = `fetching row ${i} as float32…`;
    $('view-map').dataset.rowState = 'fetching';
    const started = performance.now();
    try {
      const answer = await postAttend(request, true);
      if (generation !== state.rowGeneration) return;
      const result = answer.binary ? await fromBinary(answer.binary) : fromJSON(answer.json);
      if (generation !== state.rowGeneration) return;
      const n = state.n;
      const rows = result.maps.map((layer) => layer.map((m) => (m.length === n ? m : m.subarray(i * n, i * n + n))));
      state.exactRows.set(i, rows);
      $('arc-status').textContent = `row ${i}: exact float32 values fetched with "rows": [${i}] `
        + `(${megabytes(answer.bytes)}, ${Math.round(performance.now() - started)} ms)`;
      $('view-map').dataset.rowState = 'ready';
      if (state.row === i) drawArc();
    } catch (error) {
      if (generation !== state.rowGeneration) return;
      $('arc-status').textContent = `row ${i} could not be fetched: ${error.message}`;
      $('view-map').dataset.rowState = 'error';
    }
  }
  function rowValues(l, h, i) {
    const exact = state.exactRows.get(i);
    if (exact && exact[l] && exact[l][h]) return { values: exact[l][h], exact: true };
    const n = state.n;
    return { values: state.maps[l][h].subarray(i * n, i * n + n), exact: state.dtype !== 'float16' };
  }

  // Paints one row as arcs on a line: every token a tick, an arc from position i to each j (width and opacity
  // by value), the strongest labelled. Returns the columns by decreasing value; records the top five.
  function paintArcs(canvas, ctx, width, height, values, i, n) {
    const pad = 24;
    const base = height - 50;
    const x = (j) => pad + (n > 1 ? j * (width - 2 * pad) / (n - 1) : (width - 2 * pad) / 2);
    // Under causal attention the keys after the query are masked: no ticks, no arcs, a dashed grey line.
    const visible = (j) => !isMasked(i, j);
    let max = 0;
    for (let j = 0; j < n; j++) if (visible(j) && values[j] > max) max = values[j];
    const order = Array.from({ length: n }, (_, j) => j).filter(visible).sort((a, b) => values[b] - values[a]);
    // Weight ticks under the line.
    ctx.fillStyle = 'rgba(47,95,208,0.55)';
    for (let j = 0; j < n; j++) {
      if (!visible(j)) continue;
      const t = max > 0 ? values[j] / max : 0;
      ctx.fillRect(x(j) - 0.5, base + 2, Math.max(1, (width - 2 * pad) / n - 0.5), 18 * t);
    }
    const end = state.causal && i < n - 1 ? (x(i) + x(i + 1)) / 2 : width - pad;
    ctx.strokeStyle = '#d9deea';
    ctx.beginPath();
    ctx.moveTo(pad, base);
    ctx.lineTo(end, base);
    ctx.stroke();
    if (end < width - pad) {
      ctx.save();
      ctx.strokeStyle = '#aaaaaa';
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(end, base);
      ctx.lineTo(width - pad, base);
      ctx.stroke();
      ctx.restore();
      ctx.fillStyle = '#777';
      ctx.font = '11px system-ui, "DejaVu Sans", sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText('masked (causal)', (end + width - pad) / 2, base + 16);
    }
    canvas.dataset.masked = state.causal ? String(n - 1 - i) : '0';
    // Arcs for the strongest keys (at most 80).
    ctx.strokeStyle = '#2f5fd0';
    for (const j of order.slice(0, 80)) {
      const w = values[j];
      if (!(w > 0.002)) break;
      const t = max > 0 ? w / max : 0;
      const a = x(i), b = x(j);
      const rise = Math.min(base - 30, 14 + Math.abs(b - a) * 0.45);
      ctx.globalAlpha = 0.2 + 0.8 * t;
      ctx.lineWidth = 0.8 + 5 * t;
      ctx.beginPath();
      ctx.moveTo(a, base);
      ctx.bezierCurveTo(a, base - rise, b, base - rise, b, base);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    // The query, then the strongest keys labelled.
    ctx.font = 'bold 12px system-ui, "DejaVu Sans", sans-serif';
    ctx.textAlign = 'center';
    ctx.fillStyle = '#e8590c';
    ctx.beginPath();
    ctx.moveTo(x(i), base + 4);
    ctx.lineTo(x(i) - 6, base + 14);
    ctx.lineTo(x(i) + 6, base + 14);
    ctx.fill();
    ctx.fillText(state.tokens[i], Math.max(40, Math.min(width - 40, x(i))), base + 34);
    ctx.font = '11px system-ui, "DejaVu Sans", sans-serif';
    ctx.fillStyle = '#1d2330';
    const placed = [];
    for (const j of order.slice(0, 8)) {
      if (!(values[j] > 0)) break;
      const px = Math.max(30, Math.min(width - 30, x(j)));
      const py = 14 + 13 * placed.filter((p) => Math.abs(p - px) < 70).length;
      placed.push(px);
      ctx.fillText(`${label(j)} ${values[j].toFixed(3)}`, px, py);
    }
    canvas.dataset.top = JSON.stringify(order.slice(0, 5).map((j) => [j, values[j]]));
    return order;
  }

  // The line/arc view of one row: every token on a line, an arc from the query to each key it attends to
  // (width and opacity by weight), the strongest keys labelled.
  function drawArc() {
    const canvas = $('arc-canvas');
    const width = Math.max(300, Math.min(1300, ($('view-map').clientWidth || 900) - 30));
    const height = 230;
    const ctx = setupCanvas(canvas, width, height);
    const i = state.row;
    if (i === null || !state.maps.length) {
      ctx.fillStyle = '#5b6478';
      ctx.font = '13px system-ui, "DejaVu Sans", sans-serif';
      ctx.fillText('Click a row of the heatmap to see where that token looks.', 10, 24);
      $('arc-title').textContent = '';
      if (!state.maps.length || i === null) $('arc-status').textContent = '';
      return;
    }
    const l = state.mapLayer, h = state.mapHead, n = state.n;
    const { values, exact } = rowValues(l, h, i);
    const order = paintArcs(canvas, ctx, width, height, values, i, n);
    canvas.dataset.exact = String(exact);
    $('arc-title').textContent = `Row ${quote(i)}, layer ${state.layers[l]}, head ${state.heads[h]}: `
      + `strongest keys ${order.slice(0, 5).map((j) => `${quote(j)} ${formatWeight(values[j])}`).join(', ')}`;
    if (exact && !state.exactRows.has(i)) $('arc-status').textContent = 'from the loaded maps (exact float32)';
    if (!exact) $('arc-status').textContent = `row ${i}: float16 values until the exact row arrives…`;
  }

  function openZoom(l, h) {
    const m = state.maps[l][h];
    const n = state.n;
    $('zoom-title').textContent = `Layer ${state.layers[l]}, head ${state.heads[h]} — rows: queries, `
      + 'columns: keys, colour: √weight';
    const dialog = $('zoom');
    if (!dialog.open) dialog.showModal();
    drawHeatmap($('zoom-canvas'), $('zoom-value'), Object.assign(tokenSpec(720), {
      value: (i, j) => m[i * n + j],
      color: (v) => pick(BLUES, Math.sqrt(v)),
      masked: state.causal,
      describe: (i, j) => `${quote(i)} → ${quote(j)}: `
        + (isMasked(i, j) ? 'masked (causal)' : formatWeight(m[i * n + j])),
    }));
  }

  function drawRollout() {
    const r = state.rollout;
    const n = state.n;
    $('rollout-source').textContent = state.analysisSource;
    drawHeatmap($('rollout-canvas'), $('rollout-value'), Object.assign(tokenSpec(640), {
      value: (i, j) => r[i * n + j],
      color: (v) => pick(BLUES, Math.sqrt(Math.max(0, v))),
      describe: (i, j) => `${quote(i)} ← ${quote(j)}: ${formatWeight(r[i * n + j])}`,
    }));
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
      describe: (i, j) => `layer ${state.layers[i]}, head ${state.heads[j]}: ${formatWeight(e[i][j])} nats`,
    });
  }

  function drawSimilarity() {
    if (!state.similarity && state.embeddings) state.similarity = cosine(state.embeddings);
    const s = state.similarity;
    const canvas = $('similarity-canvas');
    if (!s) {
      $('similarity-source').textContent = 'The response has no embeddings.';
      setupCanvas(canvas, 1, 1);
      return;
    }
    $('similarity-source').textContent = 'Computed in the browser from the response’s embeddings.';
    drawHeatmap(canvas, $('similarity-value'), Object.assign(tokenSpec(640), {
      value: (i, j) => s[i][j],
      color: (v) => pick(RDBU, (v + 1) / 2),
      describe: (i, j) => `${quote(i)} · ${quote(j)}: ${s[i][j].toFixed(6)}`,
    }));
  }

  // ---------- contributions view ----------
  // The last submitted text's token contributions (README "Token contributions"), fetched when the view is shown
  // or the measure changes: every layer plus the rollout, in one POST /attend without the attention maps.
  const contrib = { key: '', answer: null, generation: 0, row: null };
  async function loadContributions() {
    if (!state.request) return;
    const measure = $('contrib-measure').value;
    const key = JSON.stringify([state.request, measure]);
    if (contrib.key === key && contrib.answer) {
      drawContributions();
      return;
    }
    contrib.key = key;
    contrib.answer = null;
    const generation = ++contrib.generation;
    const section = $('view-contributions');
    section.dataset.state = 'loading';
    $('contrib-error').hidden = true;
    $('contrib-source').textContent = `fetching ${measure}…`;
    const request = Object.assign({}, state.request,
      { attentions: false, contributions: [measure], contribution_rollout: true });
    try {
      const body = await fetchJSON('/attend', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
      });
      if (generation !== contrib.generation) return;
      const result = body && Array.isArray(body.results) ? body.results[0] : null;
      const entry = result && result.contributions ? result.contributions[measure] : null;
      if (!entry || !Array.isArray(entry.layers)) throw new Error(`The answer has no "${measure}" contributions.`);
      const n = result.tokens.length;
      if (n !== state.n) throw new Error('The contributions answer has other tokens than the maps.');
      contrib.answer = {
        measure, n,
        names: Array.isArray(body.layers) && body.layers.length === entry.layers.length
          ? body.layers : entry.layers.map((_, i) => i),
        layers: entry.layers.map((m) => flatten(m, n, n)),
        rollout: Array.isArray(entry.rollout) ? flatten(entry.rollout, n, n) : null,
      };
      if (contrib.row !== null && contrib.row >= n) contrib.row = null;
      drawContributions();
    } catch (error) {
      if (generation !== contrib.generation) return;
      contrib.key = '';
      $('contrib-error').textContent = (error.status ? `${error.status}${error.code ? ' ' + error.code : ''}: ` : '')
        + error.message;
      $('contrib-error').hidden = false;
      $('contrib-source').textContent = '';
      setupCanvas($('contrib-canvas'), 1, 1);
      setupCanvas($('contrib-arc'), 1, 1);
      $('contrib-arc-title').textContent = '';
      $('contrib-value').textContent = '\u00a0';
      section.dataset.state = 'error';
    }
  }
  function contribMatrix() {
    const a = contrib.answer;
    const choice = $('contrib-layer').value;
    if (choice === 'rollout') return { m: a.rollout, where: 'rolled out over every layer' };
    const index = Number(choice);
    return { m: a.layers[index], where: `layer ${a.names[index]}` };
  }
  function drawContributions() {
    const a = contrib.answer;
    if (!a) return;
    const { m, where } = contribMatrix();
    if (!m) return;
    const n = a.n;
    let largest = 0;
    for (let k = 0; k < m.length; k++) if (m[k] > largest) largest = m[k];
    if (!(largest > 0)) largest = 1;
    $('contrib-scale').textContent = formatWeight(largest);
    $('contrib-source').textContent = `Computed by the service: ${a.measure}, ${where}.`;
    drawHeatmap($('contrib-canvas'), $('contrib-value'), Object.assign(tokenSpec(Math.min(roomFor($('view-contributions'), 1100),
      Math.max(400, (window.innerHeight || 800) - 200))), {
      value: (i, j) => m[i * n + j],
      color: (v) => pick(BLUES, Math.sqrt(Math.max(0, v) / largest)),
      describe: (i, j) => `output ${quote(i)} ← input ${quote(j)}: ${formatWeight(m[i * n + j])}`
        + ` · ${a.measure}, ${where}`,
      selectedRow: () => contrib.row,
      onSelect: (i) => { contrib.row = i; drawContribArc(); },
    }));
    drawContribArc();
    $('view-contributions').dataset.state = 'ready';
  }
  function drawContribArc() {
    const canvas = $('contrib-arc');
    const width = Math.max(300, Math.min(1300, ($('view-contributions').clientWidth || 900) - 30));
    const height = 230;
    const ctx = setupCanvas(canvas, width, height);
    const a = contrib.answer;
    const i = contrib.row;
    if (!a || i === null) {
      ctx.fillStyle = '#5b6478';
      ctx.font = '13px system-ui, "DejaVu Sans", sans-serif';
      ctx.fillText('Click a row of the heatmap to see which input tokens make up that output.', 10, 24);
      $('contrib-arc-title').textContent = '';
      return;
    }
    const { m, where } = contribMatrix();
    const n = a.n;
    const order = paintArcs(canvas, ctx, width, height, m.subarray(i * n, i * n + n), i, n);
    $('contrib-arc-title').textContent = `Output ${quote(i)}, ${a.measure}, ${where}: largest inputs `
      + order.slice(0, 5).map((j) => `${quote(j)} ${formatWeight(m[i * n + j])}`).join(', ');
  }

  // ---- occlusion view ----
  // Leave-one-token-out importance of the last submitted text (README "Occlusion"), fetched when the view is shown:
  // one POST /attend with "occlusion": true, the attention rollout ("analysis") and, for post-LN models, the
  // alti / globenc / norm rollouts; a bar per token for the importance and each attribution (each scaled to its
  // own largest value), and the Spearman rank correlation of each attribution with the importances.
  const occl = { key: '', answer: null, generation: 0 };
  const OCCLUSION_MEASURES = ['alti', 'globenc', 'norm'];
  async function fetchOcclusion(withContributions) {
    const extra = { attentions: false, analysis: true, occlusion: true };
    if (withContributions) Object.assign(extra, { contributions: OCCLUSION_MEASURES });
    return fetchJSON('/attend', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.assign({}, state.request, extra)),
    });
  }
  async function loadOcclusion() {
    if (!state.request) return;
    const key = JSON.stringify(state.request);
    if (occl.key === key && occl.answer) {
      drawOcclusion();
      return;
    }
    occl.key = key;
    occl.answer = null;
    const generation = ++occl.generation;
    const section = $('view-occlusion');
    section.dataset.state = 'loading';
    $('occl-error').hidden = true;
    $('occl-source').textContent = 'fetching occlusion…';
    try {
      let body;
      try {
        body = await fetchOcclusion(true);
      } catch (error) {
        // A pre-LN model has no contribution measures (422): the attention rollout alone.
        if (error.status !== 422) throw error;
        body = await fetchOcclusion(false);
      }
      if (generation !== occl.generation) return;
      const result = body && Array.isArray(body.results) ? body.results[0] : null;
      const o = result ? result.occlusion : null;
      if (!o || !Array.isArray(o.importance)) throw new Error('The answer has no "occlusion".');
      occl.answer = { tokens: result.tokens.map(String), occlusion: o };
      drawOcclusion();
    } catch (error) {
      if (generation !== occl.generation) return;
      occl.key = '';
      $('occl-error').textContent = (error.status ? `${error.status}${error.code ? ' ' + error.code : ''}: ` : '')
        + error.message;
      $('occl-error').hidden = false;
      $('occl-source').textContent = '';
      $('occl-table').replaceChildren();
      $('occl-spearman').replaceChildren();
      section.dataset.state = 'error';
    }
  }
  function occlusionBar(value, largest, kind) {
    const cell = document.createElement('td');
    if (value === null || value === undefined) {
      cell.textContent = '—';
      cell.className = 'occl-none';
      return cell;
    }
    const bar = document.createElement('span');
    bar.className = 'occl-bar occl-' + kind;
    bar.style.width = `${Math.max(0, Math.min(1, value / largest)) * 100}%`;
    const text = document.createElement('span');
    text.className = 'occl-num';
    text.textContent = formatWeight(value);
    cell.append(bar, text);
    cell.dataset.value = String(value);
    return cell;
  }
  function drawOcclusion() {
    const a = occl.answer;
    if (!a) return;
    const o = a.occlusion;
    const names = Object.keys(o.attributions || {});
    const columns = [{ name: 'occlusion importance', values: o.importance, kind: 'importance' }]
      .concat(names.map((name) => ({ name, values: o.attributions[name], kind: 'attribution' })));
    const head = document.createElement('tr');
    head.append(...['token'].concat(columns.map((c) => c.name)).map((t) => {
      const th = document.createElement('th');
      th.textContent = t;
      return th;
    }));
    const largest = columns.map((c) => {
      let m = 0;
      for (const v of c.values) if (v !== null && v > m) m = v;
      return m > 0 ? m : 1;
    });
    const rows = a.tokens.map((t, i) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = t;
      th.className = 'occl-token';
      tr.append(th, ...columns.map((c, k) => occlusionBar(c.values[i], largest[k], c.kind)));
      return tr;
    });
    $('occl-table').replaceChildren(head, ...rows);
    $('occl-spearman').replaceChildren(...names.map((name) => {
      const li = document.createElement('li');
      const rho = o.spearman ? o.spearman[name] : null;
      li.textContent = `${name}: ${rho === null || rho === undefined ? 'undefined (too few or tied values)'
        : 'ρ = ' + rho.toFixed(3)}`;
      li.dataset.name = name;
      li.dataset.value = rho === null || rho === undefined ? '' : String(rho);
      return li;
    }));
    if (!names.length) {
      const li = document.createElement('li');
      li.textContent = 'No attribution to compare.';
      $('occl-spearman').append(li);
    }
    $('occl-source').textContent = `Computed by the service: ${o.pooling} pooling, ${a.tokens.length} tokens, `
      + `${o.importance.filter((v) => v !== null).length} occluded.`;
    $('view-occlusion').dataset.state = 'ready';
  }
  // ---- end of occlusion view ----

  // ---------- compare two texts ----------
  // POST /similarity with "explain" and "per_layer" (README "POST /similarity"): the cosine, the token-by-token
  // matrix, the matrix carried back to input tokens and the cosine at every hidden state.
  const compare = { generation: 0, answer: null };
  async function onCompare(event) {
    event.preventDefault();
    const request = {
      a: $('compare-a').value, b: $('compare-b').value, explain: true, per_layer: true,
      measure: $('compare-measure').value,
    };
    const model = $('model').value;
    if (model) request.model = model;
    const generation = ++compare.generation;
    const section = $('view-compare');
    section.dataset.state = 'running';
    $('compare-run').disabled = true;
    $('compare-status').textContent = 'Running…';
    $('compare-error').hidden = true;
    const started = performance.now();
    try {
      const body = await fetchJSON('/similarity', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
      });
      if (generation !== compare.generation) return;
      const result = body && Array.isArray(body.results) ? body.results[0] : null;
      if (!result || !Array.isArray(result.matrix) || !Array.isArray(result.input_matrix) || !body.a) {
        throw new Error('The similarity answer has no matrices.');
      }
      compare.answer = {
        a: body.a.tokens.map(String), b: result.b.tokens.map(String), cosine: result.cosine,
        matrix: result.matrix, input: result.input_matrix,
        perLayer: Array.isArray(result.per_layer) ? result.per_layer : [], measure: body.measure || request.measure,
      };
      $('compare-results').hidden = false;
      drawCompare();
      $('compare-status').textContent = `${compare.answer.a.length} × ${compare.answer.b.length} tokens · `
        + `${compare.answer.measure} · ${Math.round(performance.now() - started)} ms`;
      section.dataset.state = 'ready';
    } catch (error) {
      if (generation !== compare.generation) return;
      $('compare-results').hidden = true;
      $('compare-status').textContent = '';
      $('compare-error').textContent = (error.status ? `${error.status}${error.code ? ' ' + error.code : ''}: ` : '')
        + error.message;
      $('compare-error').hidden = false;
      section.dataset.state = 'error';
    } finally {
      if (generation === compare.generation) $('compare-run').disabled = false;
    }
  }
  function short(t) { return t.length > 12 ? t.slice(0, 11) + '…' : t; }
  // A texts-a × text-b matrix on the diverging scale, symmetric about 0 (white) at the largest magnitude.
  function pairSpec(a, b, matrix) {
    let extent = 0;
    for (const row of matrix) for (const v of row) if (Math.abs(v) > extent) extent = Math.abs(v);
    if (!(extent > 0)) extent = 1;
    return {
      rows: a.length, cols: b.length, room: Math.min(roomFor($('view-compare'), 900), 640), maxCell: 40,
      rowLabels: a.map(short), colLabels: b.map(short),
      fullRowLabel: (i) => `a: “${a[i]}” (${i})`, fullColLabel: (j) => `b: “${b[j]}” (${j})`,
      value: (i, j) => matrix[i][j],
      color: (v) => pick(RDBU, 0.5 + v / (2 * extent)),
      describe: (i, j) => `a “${a[i]}” (${i}) · b “${b[j]}” (${j}): ${formatWeight(matrix[i][j])}`,
    };
  }
  function drawCompare() {
    const c = compare.answer;
    if (!c) return;
    $('compare-cosine').textContent = formatWeight(c.cosine);
    drawHeatmap($('compare-matrix'), $('compare-matrix-value'), pairSpec(c.a, c.b, c.matrix));
    drawHeatmap($('compare-input'), $('compare-input-value'), pairSpec(c.a, c.b, c.input));
    drawLayerChart($('compare-layers'), $('compare-layers-value'), c.perLayer);
  }
  // The cosine at every hidden state as a line with dots; hover for the value.
  function drawLayerChart(canvas, output, values) {
    const width = 460, height = 200, left = 52, right = 16, top = 14, bottom = 34;
    const ctx = setupCanvas(canvas, width, height);
    if (!values.length) return;
    let lo = Math.min(...values), hi = Math.max(...values);
    if (hi - lo < 1e-6) { lo -= 0.01; hi += 0.01; }
    const padY = (hi - lo) * 0.1;
    lo -= padY;
    hi += padY;
    const x = (l) => left + (values.length > 1 ? l * (width - left - right) / (values.length - 1) : 0);
    const y = (v) => top + (hi - v) / (hi - lo) * (height - top - bottom);
    ctx.strokeStyle = '#d9deea';
    ctx.lineWidth = 1;
    ctx.strokeRect(left, top, width - left - right, height - top - bottom);
    ctx.font = '11px system-ui, "DejaVu Sans", sans-serif';
    ctx.fillStyle = '#5b6478';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of [hi - padY, lo + padY]) ctx.fillText(v.toFixed(4), left - 4, y(v));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    values.forEach((_, l) => ctx.fillText(String(l), x(l), height - bottom + 4));
    ctx.fillText('hidden state (0 = embeddings)', left + (width - left - right) / 2, height - 14);
    ctx.strokeStyle = '#2f5fd0';
    ctx.lineWidth = 2;
    ctx.beginPath();
    values.forEach((v, l) => (l ? ctx.lineTo(x(l), y(v)) : ctx.moveTo(x(l), y(v))));
    ctx.stroke();
    ctx.fillStyle = '#2f5fd0';
    for (let l = 0; l < values.length; l++) {
      ctx.beginPath();
      ctx.arc(x(l), y(values[l]), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    canvas.onmousemove = (event) => {
      const box = canvas.getBoundingClientRect();
      const px = (event.clientX - box.left) * width / box.width;
      let best = 0;
      for (let l = 1; l < values.length; l++) if (Math.abs(x(l) - px) < Math.abs(x(best) - px)) best = l;
      output.textContent = `hidden state ${best}: cosine ${formatWeight(values[best])}`;
      output.dataset.layer = String(best);
      output.dataset.value = String(values[best]);
    };
    output.textContent = '\u00a0';
  }

  // ---- head roles view ----
  // Each head's role over the last submitted text (README "Head roles"): one POST /attend with "analysis":
  // ["heads"] and no maps; a layer × head table with the tag, the values on hover.
  const roles = { key: '', generation: 0 };
  const ROLE_NAMES = ['cls', 'sep', 'previous', 'next', 'self', 'punctuation', 'entropy'];
  async function loadHeadRoles() {
    if (!state.request) return;
    const key = JSON.stringify(state.request);
    if (roles.key === key) return;
    roles.key = key;
    const generation = ++roles.generation;
    const section = $('view-roles');
    section.dataset.state = 'loading';
    $('roles-error').hidden = true;
    const request = Object.assign({}, state.request, { attentions: false, analysis: ['heads'] });
    try {
      const body = await fetchJSON('/attend', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
      });
      if (generation !== roles.generation) return;
      const table = body && body.head_roles;
      if (!table || !Array.isArray(table.tag)) throw new Error('The answer has no "head_roles".');
      drawHeadRoles(table, Array.isArray(body.layers) ? body.layers : [], Array.isArray(body.heads) ? body.heads : []);
      section.dataset.state = 'ready';
    } catch (error) {
      if (generation !== roles.generation) return;
      roles.key = '';
      $('roles-error').textContent = (error.status ? `${error.status}${error.code ? ' ' + error.code : ''}: ` : '')
        + error.message;
      $('roles-error').hidden = false;
      $('roles-table').replaceChildren();
      section.dataset.state = 'error';
    }
  }
  function drawHeadRoles(table, layers, heads) {
    const out = $('roles-table');
    out.replaceChildren();
    const head = document.createElement('tr');
    head.append(document.createElement('th'));
    for (const h of heads) {
      const th = document.createElement('th');
      th.textContent = `head ${h}`;
      head.append(th);
    }
    out.append(head);
    table.tag.forEach((row, a) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = `layer ${layers[a] !== undefined ? layers[a] : a}`;
      tr.append(th);
      row.forEach((tag, b) => {
        const td = document.createElement('td');
        td.textContent = tag || '·';
        td.className = tag ? 'role role-' + tag : 'role';
        const value = (name) => (table[name] && table[name][a] ? table[name][a][b] : null);
        td.title = ROLE_NAMES.map((name) => {
          const v = value(name);
          return `${name}: ${typeof v === 'number' ? v.toFixed(3) : '–'}`;
        }).join('\n');
        const best = Math.max(...ROLE_NAMES.slice(0, 6).map((name) => value(name) || 0));
        td.style.background = css(pick(VIRIDIS, Math.min(1, best)));
        td.style.color = best > 0.6 ? '#000' : '#fff';
        td.dataset.tag = tag || '';
        tr.append(td);
      });
      out.append(tr);
    });
    $('roles-source').textContent = `Means over ${table.inputs || 1} input(s), from the service.`;
  }

  // ---- predictions view ----
  // Click a token: it is replaced by the mask token and the model's MLM head predicts it (README "Masked-word
  // predictions"), at the last layer and through every hidden state (the logit lens).
  const predict = { generation: 0, maskID: null, maskModel: null };
  function renderPredictTokens() {
    const box = $('predict-tokens');
    box.replaceChildren();
    state.tokens.forEach((token, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'tok';
      b.dataset.index = String(i);
      b.textContent = token;
      box.append(b);
    });
  }
  async function maskID() {
    const model = state.request && state.request.model;
    if (predict.maskID !== null && predict.maskModel === model) return predict.maskID;
    const body = { text: '[MASK]', add_special_tokens: false };
    if (model) body.model = model;
    const answer = await fetchJSON('/tokenize', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const result = answer && Array.isArray(answer.results) ? answer.results[0] : null;
    const ids = result && (result.input_ids || result.ids);
    if (!Array.isArray(ids) || ids.length !== 1) throw new Error('The tokenizer has no single [MASK] token.');
    predict.maskID = ids[0];
    predict.maskModel = model;
    return ids[0];
  }
  async function onPredict(event) {
    const b = event.target.closest('button.tok');
    if (!b || !state.request) return;
    const i = Number(b.dataset.index);
    const generation = ++predict.generation;
    const section = $('view-predict');
    section.dataset.state = 'loading';
    $('predict-error').hidden = true;
    for (const t of $('predict-tokens').children) t.classList.toggle('selected', t === b);
    try {
      const ids = state.ids.slice();
      ids[i] = await maskID();
      const request = { input_ids: [ids], attentions: false,
        predictions: { top_k: 5, positions: [i], logit_lens: true } };
      if (state.request.model) request.model = state.request.model;
      const body = await fetchJSON('/attend', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
      });
      if (generation !== predict.generation) return;
      const result = body && Array.isArray(body.results) ? body.results[0] : null;
      const prediction = result && Array.isArray(result.predictions) ? result.predictions[0] : null;
      if (!prediction) throw new Error('The answer has no "predictions".');
      drawPredictions(i, prediction);
      section.dataset.state = 'ready';
    } catch (error) {
      if (generation !== predict.generation) return;
      $('predict-error').textContent = (error.status ? `${error.status}${error.code ? ' ' + error.code : ''}: ` : '')
        + error.message;
      $('predict-error').hidden = false;
      $('predict-table').replaceChildren();
      section.dataset.state = 'error';
    }
  }
  function drawPredictions(i, prediction) {
    const out = $('predict-table');
    out.replaceChildren();
    const row = (name, values, strong) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = name;
      tr.append(th);
      values.tokens.forEach((token, k) => {
        const td = document.createElement(strong ? 'th' : 'td');
        td.textContent = `${token} ${(100 * values.probabilities[k]).toFixed(1)}%`;
        td.title = `id ${values.ids[k]}, p = ${values.probabilities[k]}`;
        tr.append(td);
      });
      out.append(tr);
    };
    row(`“${state.tokens[i]}” (${i}) masked`, prediction, true);
    (prediction.lens || []).forEach((values, l) => row(l === 0 ? 'embeddings' : `after layer ${l - 1}`, values));
  }
  // ---- probes view ----
  // POST /attend with one probe (README "Probes"): edits by clicking tokens (mask / replace with … / drop) and
  // unticking heads (ablate [layer, head]); the answer's probe maps beside the original's or as their difference,
  // the pooled cosine, each token's shift and each head's largest map change. Positions are the original's.
  const probe = { key: '', edits: new Map(), ablated: new Set(), selected: null, answer: null, generation: 0 };
  function probeSpec() {
    const p = {};
    const mask = [], drop = [], replace = {};
    for (const [i, edit] of probe.edits) {
      if (edit.kind === 'mask') mask.push(i);
      else if (edit.kind === 'drop') drop.push(i);
      else replace[String(i)] = /^\d+$/.test(edit.token) ? Number(edit.token) : edit.token;
    }
    if (mask.length) p.mask = mask.sort((a, b) => a - b);
    if (drop.length) p.drop = drop.sort((a, b) => a - b);
    if (Object.keys(replace).length) p.replace = replace;
    const ablate = [...probe.ablated].map((k) => k.split(':').map(Number));
    if (ablate.length) p.ablate = ablate;
    return p;
  }
  function renderProbeView() {
    const key = JSON.stringify(state.request) + '|' + state.tokens.join('\u0001');
    if (key !== probe.key) {
      probe.key = key;
      probe.edits.clear();
      probe.ablated.clear();
      probe.selected = null;
      probe.answer = null;
      $('probe-results').hidden = true;
    }
    renderProbeTokens();
    renderProbeHeads();
    const layerSelect = $('probe-layer');
    const headSelect = $('probe-head');
    if (layerSelect.options.length !== state.layers.length) {
      layerSelect.replaceChildren(...state.layers.map((l, k) => new Option(`layer ${l}`, String(k))));
    }
    if (headSelect.options.length !== state.heads.length) {
      headSelect.replaceChildren(...state.heads.map((h, k) => new Option(`head ${h}`, String(k))));
    }
    drawProbe();
  }
  function renderProbeTokens() {
    const box = $('probe-tokens');
    box.replaceChildren(...state.tokens.map((t, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      const edit = probe.edits.get(i);
      b.className = 'tok' + (edit ? ' probe-' + edit.kind : '');
      b.dataset.index = String(i);
      b.textContent = edit && edit.kind === 'mask' ? '[MASK]' : edit && edit.kind === 'replace' ? edit.token : t;
      b.title = `${quote(i)}${edit ? ' · ' + edit.kind : ''}`;
      return b;
    }));
  }
  function renderProbeHeads() {
    const grid = $('probe-heads');
    grid.style.gridTemplateColumns = `repeat(${state.heads.length + 1}, auto)`;
    const cells = [document.createElement('span')];
    for (const h of state.heads) {
      const head = document.createElement('span');
      head.textContent = `h${h}`;
      cells.push(head);
    }
    for (const l of state.layers) {
      const name = document.createElement('span');
      name.textContent = `layer ${l}`;
      cells.push(name);
      for (const h of state.heads) {
        const label = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.dataset.probeHead = `${l}:${h}`;
        box.checked = !probe.ablated.has(`${l}:${h}`);
        box.setAttribute('aria-label', `layer ${l} head ${h} on`);
        label.append(box);
        cells.push(label);
      }
    }
    grid.replaceChildren(...cells);
  }
  function onProbeToken(event) {
    const b = event.target.closest('button.tok');
    if (!b) return;
    probe.selected = Number(b.dataset.index);
    $('probe-popover-title').textContent = quote(probe.selected);
    const edit = probe.edits.get(probe.selected);
    $('probe-replace').value = edit && edit.kind === 'replace' ? edit.token : '';
    $('probe-popover').hidden = false;
  }
  function onProbeAction(event) {
    const action = event.target.closest('button') && event.target.closest('button').dataset.action;
    if (!action || probe.selected === null) return;
    const i = probe.selected;
    if (action === 'keep') probe.edits.delete(i);
    else if (action === 'replace') {
      const token = $('probe-replace').value.trim();
      if (!token) return;
      probe.edits.set(i, { kind: 'replace', token });
    } else probe.edits.set(i, { kind: action });
    $('probe-popover').hidden = true;
    probe.selected = null;
    renderProbeTokens();
  }
  async function runProbe() {
    if (!state.request) return;
    const generation = ++probe.generation;
    const spec = probeSpec();
    $('probe-error').hidden = true;
    $('probe-status').textContent = 'running…';
    $('view-probes').dataset.state = 'loading';
    const request = Object.assign({}, state.request, { attentions: true, probes: [spec] });
    try {
      const body = await fetchJSON('/attend', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
      });
      if (generation !== probe.generation) return;
      const result = body && Array.isArray(body.results) ? body.results[0] : null;
      const answer = result && Array.isArray(result.probes) ? result.probes[0] : null;
      if (!answer || !Array.isArray(result.attentions)) throw new Error('The answer has no probe.');
      probe.answer = { result, probe: answer, spec };
      $('probe-status').textContent = '';
      $('probe-results').hidden = false;
      drawProbe();
    } catch (error) {
      if (generation !== probe.generation) return;
      $('probe-status').textContent = '';
      $('probe-error').textContent = (error.status ? `${error.status}${error.code ? ' ' + error.code : ''}: ` : '')
        + error.message;
      $('probe-error').hidden = false;
      $('view-probes').dataset.state = 'error';
    }
  }
  // Layer slot l, head slot h of a nested [layer][head][n][n] answer as a Float32Array, null → NaN.
  function probeMap(attentions, l, h, n) {
    const out = new Float32Array(n * n).fill(NaN);
    const rows = attentions && attentions[l] && attentions[l][h];
    if (!Array.isArray(rows)) return out;
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      if (!Array.isArray(row)) continue;
      for (let j = 0; j < n; j++) if (typeof row[j] === 'number') out[i * n + j] = row[j];
    }
    return out;
  }
  function drawProbe() {
    const a = probe.answer;
    if (!a) return;
    const n = a.result.tokens.length;
    const l = Number($('probe-layer').value) || 0;
    const h = Number($('probe-head').value) || 0;
    const original = probeMap(a.result.attentions, l, h, n);
    const changed = probeMap(a.probe.attentions, l, h, n);
    const side = $('probe-show').value === 'side';
    const cosine = a.probe.diff.pooled_cosine;
    $('probe-cosine').textContent = typeof cosine === 'number' ? formatWeight(cosine) : 'n/a (no pooling)';
    const shifts = a.probe.diff.token_l2
      .map((v, i) => `${state.tokens[i]} ${v === null ? 'dropped' : formatWeight(v)}`);
    $('probe-shift').textContent = 'Each token\u2019s shift ‖e − e′‖: ' + shifts.join(' · ');
    const changes = a.probe.diff.max_map_change || [];
    $('probe-changes').replaceChildren(...changes.map((perHead, k) => {
      const line = document.createElement('div');
      line.textContent = `layer ${state.layers[k]}: `
        + perHead.map((v, j) => `h${state.heads[j]} ${formatWeight(v)}`).join('  ');
      return line;
    }));
    const room = Math.min(roomFor($('view-probes'), side ? 520 : 900),
      Math.max(300, (window.innerHeight || 800) - 260));
    const where = `layer ${state.layers[l]}, head ${state.heads[h]}`;
    if (side) {
      drawHeatmap($('probe-canvas'), $('probe-value'), Object.assign(tokenSpec(room), {
        value: (i, j) => changed[i * n + j],
        color: (v) => (Number.isNaN(v) ? [220, 220, 220] : pick(BLUES, Math.sqrt(Math.max(0, v)))),
        describe: (i, j) => `probe ${quote(i)} → ${quote(j)}: `
          + (Number.isNaN(changed[i * n + j]) ? 'dropped' : formatWeight(changed[i * n + j])) + ` · ${where}`,
      }));
      $('probe-original').hidden = false;
      drawHeatmap($('probe-original'), $('probe-value'), Object.assign(tokenSpec(room), {
        value: (i, j) => original[i * n + j],
        color: (v) => pick(BLUES, Math.sqrt(Math.max(0, v))),
        describe: (i, j) => `original ${quote(i)} → ${quote(j)}: ${formatWeight(original[i * n + j])} · ${where}`,
      }));
    } else {
      let extent = 0;
      for (let k = 0; k < n * n; k++) {
        const d = changed[k] - original[k];
        if (Math.abs(d) > extent) extent = Math.abs(d);
      }
      if (!(extent > 0)) extent = 1;
      $('probe-original').hidden = true;
      drawHeatmap($('probe-canvas'), $('probe-value'), Object.assign(tokenSpec(room), {
        value: (i, j) => changed[i * n + j] - original[i * n + j],
        color: (v) => (Number.isNaN(v) ? [220, 220, 220] : pick(RDBU, 0.5 + v / (2 * extent))),
        describe: (i, j) => {
          const d = changed[i * n + j] - original[i * n + j];
          const text = Number.isNaN(d) ? 'dropped' : `probe − original ${formatWeight(d)}`;
          return `${quote(i)} → ${quote(j)}: ${text} · ${where}`;
        },
      }));
    }
    $('view-probes').dataset.state = 'ready';
  }
  function initProbes() {
    $('probe-tokens').addEventListener('click', onProbeToken);
    $('probe-popover').addEventListener('click', onProbeAction);
    $('probe-heads').addEventListener('change', (event) => {
      const key = event.target.dataset && event.target.dataset.probeHead;
      if (!key) return;
      if (event.target.checked) probe.ablated.delete(key); else probe.ablated.add(key);
    });
    $('probe-run').addEventListener('click', runProbe);
    $('probe-reset').addEventListener('click', () => {
      probe.edits.clear();
      probe.ablated.clear();
      renderProbeTokens();
      renderProbeHeads();
    });
    for (const id of ['probe-layer', 'probe-head', 'probe-show']) $(id).addEventListener('change', drawProbe);
  }
  // ---- end of probes view ----

  function showView(view) {
    state.view = view;
    for (const tab of document.querySelectorAll('#tabs [role=tab]')) {
      tab.setAttribute('aria-selected', String(tab.dataset.view === view));
    }
    for (const section of document.querySelectorAll('section.view')) {
      section.hidden = section.id !== 'view-' + view;
    }
    if (view === 'contributions') loadContributions();
    if (view === 'occlusion') loadOcclusion();
    if (view === 'roles') loadHeadRoles();
    if (view === 'predict') renderPredictTokens();
    if (view === 'probes') renderProbeView();
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
    $('map-layer').addEventListener('change', () => {
      state.mapLayer = Number($('map-layer').value);
      drawMap();
      drawArc();
    });
    $('map-head').addEventListener('change', () => {
      state.mapHead = Number($('map-head').value);
      drawMap();
      drawArc();
    });
    $('model').addEventListener('change', updateModelNote);
    $('contrib-measure').addEventListener('change', loadContributions);
    $('contrib-layer').addEventListener('change', drawContributions);
    $('predict-tokens').addEventListener('click', onPredict);
    $('compare-form').addEventListener('submit', onCompare);
    initProbes();
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
  window.attendMath = Object.freeze({ rollout, entropy, cosine, parseSafetensors, halfToFloat, formatWeight });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

