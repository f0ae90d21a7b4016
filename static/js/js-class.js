// Loaded in <head>, before the page is drawn: styles for browsers with JavaScript apply from the first paint.
// (A file rather than an inline script: the Content-Security-Policy runs scripts from this site's files only.)
document.documentElement.classList.replace("no-js", "js");
