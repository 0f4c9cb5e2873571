/** Cassandre's Tailwind settings, read by theme/static_src/src/styles.css (@config). */
module.exports = {
  theme: {
    extend: {
      fontFamily: {
        sans: ["Marianne", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
      },
    },
  },
};
