import AttendService

print("attend")
