// The review bar above the report (webview): buttons post the action to the extension, which asks,
// confirms and runs the codetape CLI, then posts back the trim plan and what happened.
(function () {
    'use strict';
    const vscode = acquireVsCodeApi();
    const buttons = document.querySelectorAll('[data-codetape-action]');
    for (const button of buttons) {
        button.addEventListener('click', () => vscode.postMessage({ action: button.dataset.codetapeAction }));
    }
    const plan = document.getElementById('codetape-review-plan');
    const said = document.getElementById('codetape-review-said');
    window.addEventListener('message', (event) => {
        const message = event.data || {};
        if (Array.isArray(message.plan)) {
            plan.replaceChildren(...message.plan.map((line) => {
                const item = document.createElement('li');
                item.textContent = line;
                return item;
            }));
        }
        if (typeof message.said === 'string') {
            said.textContent = message.said;
        }
        if (message.finished) {
            for (const button of buttons) {
                button.disabled = true;
            }
        }
    });
})();
