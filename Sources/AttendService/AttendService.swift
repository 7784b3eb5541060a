// AttendService module.
