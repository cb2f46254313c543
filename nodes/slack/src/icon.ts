/** A hash in a speech bubble: Slack's channels (drawn, so it renders without an emoji font). */
export const slackIcon =
  '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="#4A154B" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.6A8 8 0 1 1 21 12z"/><path d="M10 8.5 9 15.5M14.5 8.5l-1 7M8 10.5h8M7.5 13.5h8"/></svg>';
