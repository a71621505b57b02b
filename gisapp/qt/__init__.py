"""The Qt front end: the main window, map canvas, docks, dialogs and their controllers."""
