"""Look of the app and the trainer page: a small style sheet (no logic). Inputs are full width with their label
above them, so that what is typed (and a date) is always readable."""

LABEL_STYLE = {"description_width": "initial"}
STYLE = """<style>
.sip-app { max-width: 120em; font-size: 15px; }
.sip-app h1 { font-size: 1.6em; } .sip-app h2 { font-size: 1.3em; margin-top: 1.2em; }
.sip-app h3 { font-size: 1.1em; } .sip-app h4 { font-size: 1em; margin: .6em 0 .2em; }
.sip-app .widget-text, .sip-app .widget-textarea, .sip-app .widget-dropdown, .sip-app .widget-datepicker,
.sip-app .widget-password { flex-direction: column; align-items: stretch; width: 100%; height: auto; }
.sip-app .widget-text > .widget-label, .sip-app .widget-textarea > .widget-label,
.sip-app .widget-dropdown > .widget-label, .sip-app .widget-datepicker > .widget-label,
.sip-app .widget-password > .widget-label {
  width: auto !important; max-width: none; text-align: left; white-space: normal; line-height: 1.4;
  margin: .5em 0 .15em; font-weight: 600; }
.sip-app .widget-text input, .sip-app .widget-password input, .sip-app textarea, .sip-app select,
.sip-app .widget-datepicker input { width: 100%; box-sizing: border-box; font-size: 15px; min-height: 2em; }
.sip-app .widget-datepicker input { max-width: 14em; }
.sip-app select { height: 2.2em; flex: 0 0 auto; }
.sip-app .widget-checkbox { width: 100%; height: auto; } .sip-app .widget-checkbox label { white-space: normal; }
.sip-join { max-width: 42em; }
/* The side panel (case, role card, feedback) stays in view while the form scrolls: no box between it and the page's
   scroller may clip (Voila's output area and ipywidgets' boxes do by default). */
.jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output, .sip-app, .sip-workspace,
.sip-workspace > .sip-main { overflow: visible !important; }
.sip-main { padding-right: 1.2em; box-sizing: border-box; }
.sip-workspace > .sip-side { position: sticky; top: 0; align-self: flex-start; max-height: 100vh; overflow-y: auto !important;
  border-left: 2px solid #666; padding: 0 .5em 0 1em; box-sizing: border-box; }
.sip-workspace > .sip-side > * { flex-shrink: 0; }  /* the panel scrolls; its parts never squeeze to nothing */
.sip-app .lm-TabBar-tab { flex: 1 1 auto; max-width: none; min-width: 0; color: #1f1f1f; background: #e8e8e8; }
.sip-app .lm-TabBar-tab.lm-mod-current { background: #fff; font-weight: 600; }
.sip-app .lm-TabBar-tabLabel { color: #1f1f1f !important; opacity: 1 !important; }
.sip-app .widget-button { width: auto; align-self: flex-start; }
.sip-card dl { display: block; }
.sip-card dt { float: none !important; width: auto !important; font-weight: 700; margin-top: .6em; }
.sip-card dd { float: none !important; margin: 0 0 0 1em !important; }
.sip-side .fail { color: #8a1c1c; } .sip-side .partial { color: #6b4200; } .sip-side .pass { color: #1d5c2e; }
.sip-row { border-left: 3px solid #888; padding-left: .6em; margin: .4em 0; }
.sip-card { background: #f6f6f2; padding: 0 1em; border: 1px solid #ccc; }
.sip-card table { border-collapse: collapse; } .sip-card td, .sip-card th { border: 1px solid #bbb; padding: 2px 6px; }
.sip-role-card { background: #f1f5fb; border-color: #8aa4c8; }
.sip-message { color: #8a1c1c; font-weight: bold; }
.sip-download a, .sip-app a { color: #0b4f9c; text-decoration: underline; }
.sip-library-notice { background: #fff6dc; border: 1px solid #b98b00; color: #3a2c00; padding: .2em 1em; margin: .6em 0; max-width: 60em; }
.sip-library-notice code { white-space: pre-wrap; word-break: break-word; }
.sip-overview { border-collapse: collapse; margin: .8em 0 1.4em; font-size: 14px; }
.sip-overview caption { text-align: left; font-weight: 700; font-size: 1.05em; padding: .3em 0; }
.sip-overview th, .sip-overview td { border: 1px solid #b5b5b5; padding: .3em .6em; text-align: left; vertical-align: top; }
.sip-overview thead th { background: #ececec; }
.sip-link { user-select: all; font-size: 13px; }
.sip-who, .sip-hint { color: #4a4a4a; font-size: .85em; margin: .1em 0 .4em; }
.sip-limit { color: #8a1c1c; font-weight: 600; margin: .1em 0 .4em; }
.sip-checklist-label { font-weight: 600; display: block; margin: .5em 0 .15em; }
.sip-conflict { background: #fff4e0; border: 2px solid #b36b00; padding: .3em .8em; margin: .3em 0; }
.sip-conflict span { font-weight: 600; }
.sip-status { font-weight: 600; } .sip-status-score { font-weight: 400; margin-left: 1em; }
.sip-seats { list-style: none; padding-left: 0; } .sip-seats li { margin: .3em 0; }
.sip-seats .online .sip-presence { color: #1d5c2e; } .sip-seats .offline .sip-presence { color: #595959; }
.sip-presence { margin-left: .5em; font-size: .9em; }
.sip-alert { background: #fff4e0; border-left: 4px solid #b36b00; padding: .3em .6em; font-weight: 600; margin: .2em 0;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 28em; }
.sip-event { border-left: 4px solid #8aa4c8; padding: .1em .8em; margin: .5em 0; background: #f6f8fb; }
.sip-event.unread { border-left-color: #b36b00; background: #fff9ef; }
.sip-event h4 { margin: .4em 0 .2em; }
.sip-app .widget-button.sip-question { white-space: normal; height: auto; min-height: 2em; text-align: left;
  line-height: 1.3; padding: .3em .6em; margin: .15em 0; }
.sip-exchange { border-left: 3px solid #8aa4c8; padding: .1em .8em; margin: .4em 0; }
.sip-exchange p { margin: .2em 0; } .sip-answer { background: #f6f8fb; }
.sip-letter { background: #fffdf6; border: 1px solid #d8cfa8; padding: .4em 1.2em; font-family: Georgia, serif; }
.sip-choice { border-top: 1px solid #ccc; padding-top: .4em; margin-top: .8em; }
.sip-compare-columns { display: flex; gap: 1.5em; } .sip-compare-column { flex: 1 1 0; min-width: 0; }
.sip-debrief-groups { display: flex; flex-wrap: wrap; gap: 1em; }
.sip-debrief-group { border: 1px solid #b5b5b5; padding: .4em 1em; flex: 1 1 18em; max-width: 32em; }
.sip-debrief-score { font-size: 2em; font-weight: 700; margin: .1em 0; }
.sip-bars th { text-align: left; font-weight: 400; padding-right: .6em; } .sip-bars td { padding: .1em .3em; }
.sip-bars td:nth-child(2) { width: 10em; background: #eee; } .sip-bar { display: block; height: .9em; background: #2d5f8a; }
.sip-moment { border-left: 4px solid #8aa4c8; padding: .1em 1em; margin: .8em 0; }
.sip-moment.event { border-left-color: #b36b00; }
.sip-projector .sip-debrief-body { font-size: 22px; } .sip-projector .sip-debrief-body h2 { font-size: 1.8em; }
</style>"""
