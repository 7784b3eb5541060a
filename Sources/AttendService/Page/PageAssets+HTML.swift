extension PageAssets {
    /// The page's markup. No inline script or style: everything comes from `/app.js` and `/app.css`.
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Attend — attention explorer</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/app.css">
        <script src="/app.js" defer></script>
        </head>
        <body data-state="idle">
        <header class="top">
          <h1>Attend</h1>
          <p>Type a sentence, run it through the encoder, and look at where every head of every layer attends.</p>
        </header>
        <main>
          <form id="form" class="panel" autocomplete="off">
            <label for="text">Text</label>
            <textarea id="text" name="text" rows="3" spellcheck="false"
              >The dog chased the ball because it was fast.</textarea>
            <div class="controls">
              <label for="model">Model</label>
              <select id="model" name="model"><option value="">(loading models…)</option></select>
              <span id="key-row" class="key-row" hidden>
                <label for="api-key">API key</label>
                <input id="api-key" type="password" autocomplete="off" spellcheck="false" size="24">
              </span>
              <button id="run" type="submit">Attend</button>
              <span id="status" class="status" role="status" aria-live="polite"></span>
            </div>
          </form>

          <div id="error" class="error" role="alert" hidden>
            <span id="error-code" class="code"></span>
            <span id="error-message"></span>
          </div>

          <section id="tokens-section" class="panel" hidden>
            <h2>Tokens as the model saw them</h2>
            <div id="tokens" class="tokens"></div>
          </section>

          <nav id="tabs" class="tabs" role="tablist" hidden>
            <button type="button" role="tab" data-view="head" aria-selected="true">Head view</button>
            <button type="button" role="tab" data-view="model" aria-selected="false">Model view</button>
            <button type="button" role="tab" data-view="rollout" aria-selected="false">Rollout</button>
            <button type="button" role="tab" data-view="entropy" aria-selected="false">Head entropy</button>
            <button type="button" role="tab" data-view="similarity" aria-selected="false">Token similarity</button>
          </nav>

          <section id="view-head" class="view panel" role="tabpanel" hidden>
            <div class="toolbar">
              <label for="layer">Layer</label>
              <select id="layer"></select>
              <span class="label">Heads</span>
              <div id="head-toggles" class="head-toggles"></div>
              <button id="heads-all" type="button" class="small">all</button>
              <button id="heads-none" type="button" class="small">none</button>
            </div>
            <p class="hint">Lines join each query token (left) to the tokens it attends to (right); their opacity is
              the attention weight, one colour per head. Click a token on the left to see where it looks, on the
              right to see what looks at it; click it again to show every token.</p>
            <div class="headview">
              <div id="head-left" class="column left" aria-label="query tokens"></div>
              <canvas id="head-canvas" aria-label="attention lines"></canvas>
              <div id="head-right" class="column right" aria-label="key tokens"></div>
            </div>
          </section>

          <section id="view-model" class="view panel" role="tabpanel" hidden>
            <p class="hint">Every head of every layer: rows are layers, columns heads; in each map rows are queries
              and columns keys, coloured by the square root of the weight (the same scale for every map, so faint
              weights stay visible). Click a map to open it with token labels and exact values.</p>
            <div class="scroll"><div id="model-grid" class="grid"></div></div>
          </section>

          <section id="view-rollout" class="view panel" role="tabpanel" hidden>
            <p class="hint">Attention rollout: per layer the mean over heads plus the identity (the residual path),
              rows renormalised, layers multiplied in order. Row <em>i</em> shows how much each input token
              (column) flows into position <em>i</em> of the last layer.
              <span id="rollout-source" class="source"></span></p>
            <output id="rollout-value" class="value">&nbsp;</output>
            <div class="scroll"><canvas id="rollout-canvas" class="matrix"></canvas></div>
          </section>

          <section id="view-entropy" class="view panel" role="tabpanel" hidden>
            <p class="hint">Entropy of each head in nats: the mean over query tokens of −Σ p ln p. 0 means every
              token attends to one token; <span id="entropy-max"></span> means attention spread evenly.
              <span id="entropy-source" class="source"></span></p>
            <output id="entropy-value" class="value">&nbsp;</output>
            <div class="scroll"><canvas id="entropy-canvas" class="matrix"></canvas></div>
          </section>

          <section id="view-similarity" class="view panel" role="tabpanel" hidden>
            <p class="hint">Cosine similarity of the contextual embeddings (last hidden state) of every pair of
              tokens: red is similar, blue opposite. <span id="similarity-source" class="source"></span></p>
            <output id="similarity-value" class="value">&nbsp;</output>
            <div class="scroll"><canvas id="similarity-canvas" class="matrix"></canvas></div>
          </section>
        </main>

        <dialog id="zoom" aria-labelledby="zoom-title">
          <div class="dialog-head">
            <h3 id="zoom-title"></h3>
            <button id="zoom-close" type="button">Close</button>
          </div>
          <output id="zoom-value" class="value">&nbsp;</output>
          <div class="scroll big"><canvas id="zoom-canvas" class="matrix"></canvas></div>
        </dialog>
        <noscript><p class="error">This page needs JavaScript.</p></noscript>
        </body>
        </html>

        """#
}
