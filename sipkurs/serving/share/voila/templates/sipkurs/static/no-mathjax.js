/* sipkurs: no MathJax. The course pages have no formulas, and nothing is loaded from the internet: Voila's front end
   would otherwise fetch MathJax from a CDN as soon as a page shows HTML. This stands in for it and does nothing. */
window.MathJax = {
  Hub: {
    Config: function () {},
    Configured: function () {},
    Queue: function () {},
    Register: { StartupHook: function () {} }
  },
  InputJax: { TeX: { resetEquationNumbers: function () {} } }
};
