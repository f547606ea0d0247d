"""Look of the app and the trainer page: label width and a small style sheet (no logic)."""

LABEL_STYLE = {"description_width": "21em"}
STYLE = """<style>
.sip-app { max-width: 110em; }
.sip-app h1 { font-size: 1.6em; } .sip-app h2 { font-size: 1.3em; margin-top: 1.2em; }
.sip-app h3 { font-size: 1.1em; } .sip-app h4 { font-size: 1em; margin: .6em 0 .2em; }
.sip-feedback { position: sticky; top: 0; align-self: flex-start; border-left: 2px solid #666; padding-left: 1em; }
.sip-feedback .fail { color: #8a1c1c; } .sip-feedback .partial { color: #6b4200; } .sip-feedback .pass { color: #1d5c2e; }
.sip-row { border-left: 3px solid #888; padding-left: .6em; margin: .4em 0; }
.sip-card { background: #f6f6f2; padding: 0 1em; border: 1px solid #ccc; max-height: 28em; overflow: auto; }
.sip-card table { border-collapse: collapse; } .sip-card td, .sip-card th { border: 1px solid #bbb; padding: 2px 6px; }
.sip-message { color: #8a1c1c; font-weight: bold; }
</style>"""
