/** Trello's board mark: two columns of cards on a rounded square. */
export const TRELLO_ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><rect x="2" y="2" width="20" height="20" rx="3" fill="#0c66e4"/><rect x="5" y="5" width="6" height="13" rx="1.2" fill="#fff"/><rect x="13" y="5" width="6" height="8" rx="1.2" fill="#fff"/></svg>';
